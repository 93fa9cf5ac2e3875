import RE2 from 're2';
import t from 'tap';
import { DetectorSet } from '../src/detector-set.js';

// findAll takes the first matches from search + an anchored test and the rest from one marker
// replace: its spans must be exactly those of a plain exec loop, whatever the number and
// placement of matches, and whatever the byte before each search (word, non-word, in a match).
// Inputs are digits and separators (no identifier is valid: names and output stay clean).
function reference(re: RE2, view: Buffer): number[] {
  const spans: number[] = [];
  re.lastIndex = 0;
  for (;;) {
    const m = re.exec(view);
    if (m === null) return spans;
    const length = (m[0] as unknown as Buffer).length;
    spans.push(m.index, m.index + length);
    if (length === 0) re.lastIndex = m.index + 1;
  }
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

const set = new DetectorSet({ my_ref: { pattern: 'REF-[0-9]{3}', maxLength: 7, action: 'log' } });
const plan = set.plan(set.detectors.map((d) => d.defaults));
const main = plan.main as RE2;
const ALPHABET = '0123456789  --_aZ,"\n';
const PIECES = ['123-45-678', '1234 5678 9012 345', 'REF-123', 'REF-12', '9876543210', 'REF-000REF-111', '\u0000', 'x'];

t.test('findAll equals an exec loop on random digit-heavy text', async (t) => {
  const random = seeded(42);
  let compared = 0;
  let differing = 0;
  for (let round = 0; round < 3000; round++) {
    let text = '';
    const parts = Math.floor(random() * 12);
    for (let p = 0; p < parts; p++) {
      if (random() < 0.5) text += PIECES[Math.floor(random() * PIECES.length)];
      const filler = Math.floor(random() * 6);
      for (let k = 0; k < filler; k++) text += ALPHABET[Math.floor(random() * ALPHABET.length)];
    }
    const view = Buffer.from(text, 'latin1');
    const before = Buffer.from(view);
    const expected = reference(main, view);
    const actual = set.findAll(main, view);
    compared++;
    if (expected.join(',') !== actual.join(',')) differing++;
    if (!view.equals(before)) differing++;
  }
  t.equal(differing, 0, `${compared} inputs compared; the view is left as it was`);
});

t.test('findAll handles zero, one, two, three and many matches, adjacent and at the start', async (t) => {
  const cases = [
    '',
    'nothing here',
    'REF-123',
    'REF-123 REF-456',
    'REF-123REF-456REF-789',
    'a REF-123 b REF-456 c REF-789 d REF-012',
    'REF-123'.repeat(40),
    'REF-123 \u0000 REF-456 REF-789 REF-012',
  ];
  for (const text of cases) {
    const view = Buffer.from(text, 'latin1');
    t.same(set.findAll(main, view), reference(main, view), `${(text.match(/REF/g) ?? []).length} candidates`);
  }
});

// Patterns whose matches begin and end on non-word bytes: the byte before a search can then
// start a match itself (findAll must not report it, nor miss the next one).
const edgy = new DetectorSet({
  semi_ref: { pattern: ';[0-9]{2};', maxLength: 4, action: 'log' },
  dash_ref: { pattern: '-[0-9]{1,8}', maxLength: 9, action: 'log' },
  slash_ref: { pattern: '/[0-9]{2}/', maxLength: 4, action: 'log' },
});
const edgyMain = edgy.plan(edgy.detectors.map((d) => d.defaults)).main as RE2;

t.test('findAll equals an exec loop when matches start and end on non-word bytes', async (t) => {
  const random = seeded(7);
  const alphabet = ';;--//0123456789 a_';
  let differing = 0;
  let many = 0;
  for (let round = 0; round < 3000; round++) {
    let text = '';
    const length = Math.floor(random() * 300);
    for (let k = 0; k < length; k++) text += alphabet[Math.floor(random() * alphabet.length)];
    const view = Buffer.from(text, 'latin1');
    const expected = reference(edgyMain, view);
    if (expected.length > 2 * 12) many++; // past the 12 matches findAll takes one by one
    if (expected.join(',') !== edgy.findAll(edgyMain, view).join(',')) differing++;
  }
  t.equal(differing, 0, 'no input differs');
  t.ok(many > 100, `${many} inputs have more matches than are searched one by one`);
});
