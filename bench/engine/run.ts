/**
 * bench/engine: MB/s of `engine.scan` and `ScanStream` (16 KiB chunks) with every built-in
 * detector on, raced in one run against the memory floor (`Buffer.indexOf` of an absent
 * byte), RE2 alone (one full pass of a pattern that never matches) and the naive engine. Run: `pnpm bench:engine`.
 */
import RE2 from 're2';
import { createEngine } from '@leakguard/detectors';
import { generateCorpus } from './corpus.js';
import { NaiveEngine } from './naive-engine.js';
import { streamCorpus } from './stream-corpus.js';
import { race, table, type Contender } from '../measure.js';

export async function benchEngine(): Promise<string> {
  const bodies = generateCorpus(20261127, 128, 256 * 1024);
  const corpusBytes = bodies.reduce((n, b) => n + b.length, 0);
  const engine = createEngine({ fingerprintKey: 'bench' });
  const naive = new NaiveEngine();
  // RE2 alone: a digit pattern that never matches here, so RE2 reads every byte once.
  const re2Alone = new RE2('\\b\\d{3}-\\d{2}-\\d{4}Q\\b');

  const contenders: Contender[] = [
    { name: 'memory floor (indexOf)', run: () => bodies.reduce((n, b) => n + (b.indexOf(0x07) === -1 ? 0 : 1), 0) },
    { name: 'RE2 alone (full pass, no match)', run: () => bodies.reduce((n, b) => n + (re2Alone.test(b) ? 1 : 0), 0) },
    { name: 'naive engine', run: () => bodies.reduce((n, b) => n + naive.scan(b), 0) },
    { name: 'engine.scan', run: () => bodies.reduce((n, b) => n + engine.scan(b).length, 0) },
    { name: 'ScanStream 16 KiB chunks', run: () => streamCorpus(engine, bodies) },
  ];
  const rows = await race(contenders, corpusBytes);
  const naiveRow = rows.find((r) => r.name === 'naive engine');
  const scanRow = rows.find((r) => r.name === 'engine.scan');
  const streamRow = rows.find((r) => r.name === 'ScanStream 16 KiB chunks');
  const candidatesPerKb = ((naiveRow?.result ?? 0) / (corpusBytes / 1024)).toFixed(2);
  return [
    `### engine (${(corpusBytes / 1e6).toFixed(1)} MB corpus: ${bodies.length} bodies of JSON, form, XML, logs; seed 20261127)`,
    '',
    table(rows, 'naive engine'),
    '',
    `naive-engine candidates per KB: ${candidatesPerKb}`,
    `engine.scan / naive: ${((scanRow?.mbPerSecond ?? 0) / (naiveRow?.mbPerSecond ?? 1)).toFixed(2)}× (target ≥ 2×)`,
    `ScanStream / naive: ${((streamRow?.mbPerSecond ?? 0) / (naiveRow?.mbPerSecond ?? 1)).toFixed(2)}×`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchEngine());
}
