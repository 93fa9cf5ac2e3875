/**
 * Runs a `leakguard` subcommand in this process with captured stdout/stderr; what it printed is
 * recorded for the file's leak check.
 */
import { PassThrough } from 'node:stream';
import type { SubcommandRunner } from '../../src/cli/command-io.js';
import { recordOutput } from './leak-check.js';

export interface CommandResult {
  code: number;
  out: string;
  err: string;
}

export async function runInProcess(runner: SubcommandRunner, argv: string[]): Promise<CommandResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await runner(argv, { stdin: new PassThrough(), stdout, stderr });
  recordOutput(out + err);
  return { code, out, err };
}
