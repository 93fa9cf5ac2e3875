// CommandIO over in-memory streams, for running the CLI in-process.
import { PassThrough, Readable } from 'node:stream';
import type { CommandIO } from '../../src/index.js';

export interface CapturedIO extends CommandIO {
  out(): string;
  err(): string;
}

export function captureIO(stdinText = ''): CapturedIO {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const outChunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => outChunks.push(c));
  stderr.on('data', (c: Buffer) => errChunks.push(c));
  return {
    stdin: Readable.from([Buffer.from(stdinText)]),
    stdout,
    stderr,
    out: () => Buffer.concat(outChunks).toString('utf8'),
    err: () => Buffer.concat(errChunks).toString('utf8'),
  };
}
