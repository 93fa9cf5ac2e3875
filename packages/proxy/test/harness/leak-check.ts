/**
 * House rule 4: no detected value in a log line, metric label, error body or test output.
 * Everything the proxy writes during a test file is recorded here; the last test of each file
 * checks it for every planted value and runs the engine over it.
 */
import type { Test } from 'tap';
import { createEngine } from '@leakguard/detectors';
import { plantedVariants } from './planted-values.js';

const outputs: string[] = [];

/** Records a log line, an error body or a command's output for the leak check. */
export function recordOutput(text: string): void {
  outputs.push(text);
}

/** Adds the closing check to a test file. */
export function checkNoLeaks(t: Test, extra: () => string[] = () => []): void {
  t.test('no planted value in any log line, error body or output', async (t) => {
    const texts = [...outputs, ...extra()];
    t.ok(texts.length > 0, `${texts.length} lines recorded`);
    const variants = plantedVariants();
    const leaking = texts.filter((text) => variants.some((value) => text.includes(value))).length;
    t.ok(leaking === 0, `${leaking} of ${texts.length} recorded lines hold a planted value`);
    const engine = createEngine({});
    const found = engine.scan(texts.join('\n'));
    t.ok(found.length === 0, `the engine finds ${found.length} value(s) (${[...new Set(found.map((f) => f.detector))].join(', ')}) in the recorded lines`);
  });
}
