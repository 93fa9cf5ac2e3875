/**
 * Latency at one connection: requests one after another on a single keep-alive socket, each
 * timed with hrtime (autocannon's histogram has millisecond resolution; the target here is
 * "p99 added < 1 ms").
 */
import { Agent, request } from 'node:http';

export interface LatencyResult {
  requests: number;
  p50Ms: number;
  p99Ms: number;
}

function once(agent: Agent, url: string, method: string, body: Buffer | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: body ? { 'content-type': 'application/json', 'content-length': body.length } : {} }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function measureLatency(url: string, method: string, body: Buffer | undefined, seconds: number): Promise<LatencyResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const samples: number[] = [];
  // Warm-up: JIT, the connection, the proxy's pool to the app.
  for (let i = 0; i < 200; i++) await once(agent, url, method, body);
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const start = process.hrtime.bigint();
    await once(agent, url, method, body);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  agent.destroy();
  samples.sort((a, b) => a - b);
  const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] as number;
  return { requests: samples.length, p50Ms: at(0.5), p99Ms: at(0.99) };
}
