import { Writable } from 'node:stream';
import type { Engine, ScanStreamOptions } from '@leakguard/detectors';

/** Feeds each body through a fresh `ScanStream` in `chunk`-byte writes; returns the findings count. */
export async function streamCorpus(
  engine: Engine,
  bodies: readonly Buffer[],
  optionsFor: (index: number) => ScanStreamOptions = () => ({}),
  chunk = 16 * 1024,
): Promise<number> {
  let findings = 0;
  for (const [k, body] of bodies.entries()) {
    const stream = engine.createStream(optionsFor(k));
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    stream.pipe(sink);
    for (let i = 0; i < body.length; i += chunk) stream.write(body.subarray(i, i + chunk));
    stream.end();
    await new Promise<void>((resolve, reject) => {
      sink.on('finish', resolve);
      stream.on('error', reject);
    });
    findings += stream.findings.length;
  }
  return findings;
}
