/**
 * Chunk independence of the view mapper: however a body is cut into chunks (1-byte chunks,
 * cuts inside every escape, every UTF-8 sequence and every UTF-16 unit), the view, the
 * view→raw mapping and the masked body are those of the body pushed whole.
 */
import t from 'tap';
import fc from 'fast-check';
import { mapChunks, type MappedBody } from './view-harness.js';
import { anyFragmentRaw, applyChunking, chunking, encodeText, type BodyCharset } from './fragments.js';

function sameMapping(a: MappedBody, b: MappedBody): boolean {
  return (
    a.view.equals(b.view) &&
    a.masked.equals(b.masked) &&
    a.rawConsumed === b.rawConsumed &&
    a.spans.length === b.spans.length &&
    a.spans.every(([s, e], k) => b.spans[k][0] === s && b.spans[k][1] === e)
  );
}

const setups: Array<{ charset: BodyCharset; contentType?: string; bom?: string }> = [
  { charset: 'utf-8' },
  { charset: 'utf-8', contentType: 'application/x-www-form-urlencoded' },
  { charset: 'utf-8', contentType: 'application/json' },
  { charset: 'utf-8', contentType: 'application/xml' },
  { charset: 'utf-16le', contentType: 'text/plain; charset=utf-16le' },
  { charset: 'utf-16be', contentType: 'application/x-www-form-urlencoded; charset=utf-16' },
  { charset: 'utf-16le', bom: '\ufeff' },
];

t.test('property: any chunking gives the view, mapping and masks of the whole body', async (t) => {
  for (const setup of setups) {
    fc.assert(
      fc.property(fc.array(anyFragmentRaw, { maxLength: 30 }), chunking, (fragments, how) => {
        const body = encodeText((setup.bom ?? '') + fragments.join(''), setup.charset);
        const whole = mapChunks([body], setup.contentType);
        const chunked = mapChunks(applyChunking(body, how), setup.contentType);
        return sameMapping(whole, chunked);
      }),
      { numRuns: 200 },
    );
    t.pass(`${setup.charset} ${setup.contentType ?? '(no content type)'}`);
  }
});

/** Every escape form and partial escape, between letters so that neighbours are exercised too. */
const SEQUENCES = [
  '%31',
  '%2d',
  '%EF%BC%91',
  '%E2%80%8B',
  '%C3%A9',
  '%3',
  '%E2%80',
  '\\u0031',
  '\\uFF11',
  '\\uD83D\\uDE00',
  '\\uD83D',
  '\\u00',
  '\\"',
  '&#49;',
  '&#x31;',
  '&#65297;',
  '&#4',
  '&amp;',
  '&nbsp;',
  '&am',
  '<![CDATA[1]]>',
  '<![CDA',
  ']]>',
  '+',
  '１',
  '\u200b',
  '\u00ad',
  'é',
  '\u{1F600}',
];

t.test('a cut at every byte of every escape, and at every pair of bytes', async (t) => {
  for (const charset of ['utf-8', 'utf-16le'] as const) {
    const contentType = `application/x-www-form-urlencoded; charset=${charset}`;
    for (const sequence of SEQUENCES) {
      const body = encodeText(`a${sequence}b${sequence}`, charset);
      const whole = mapChunks([body], contentType);
      let ok = true;
      for (let i = 0; i <= body.length && ok; i++) {
        for (let j = i; j <= body.length && ok; j++) {
          ok = sameMapping(whole, mapChunks([body.subarray(0, i), body.subarray(i, j), body.subarray(j)], contentType));
        }
      }
      t.ok(ok, `${charset} ${JSON.stringify(sequence)}`);
    }
  }
});
