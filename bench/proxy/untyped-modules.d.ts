// The bench's dependencies that ship no types (and whose @types are not installed here): just the
// surface the proxy benchmark uses.

declare module 'autocannon' {
  interface AutocannonOptions {
    url: string;
    method?: string;
    connections?: number;
    pipelining?: number;
    duration?: number;
    amount?: number;
    timeout?: number;
    body?: string | Buffer;
    headers?: Record<string, string>;
  }
  interface AutocannonHistogram {
    average: number;
    p50: number;
    p99: number;
    total: number;
  }
  interface AutocannonResult {
    requests: AutocannonHistogram;
    latency: AutocannonHistogram;
    throughput: AutocannonHistogram;
    errors: number;
    timeouts: number;
    non2xx: number;
  }
  function autocannon(options: AutocannonOptions): Promise<AutocannonResult>;
  export default autocannon;
}

declare module 'http-proxy' {
  import type { Agent, IncomingMessage, ServerResponse } from 'node:http';
  import type { Socket } from 'node:net';
  interface PlainProxyServer {
    web(req: IncomingMessage, res: ServerResponse): void;
    on(event: 'error', listener: (error: Error, req: IncomingMessage, res: ServerResponse | Socket) => void): this;
  }
  const httpProxy: {
    createProxyServer(options: { target: { host: string; port: number }; agent?: Agent }): PlainProxyServer;
  };
  export default httpProxy;
}
