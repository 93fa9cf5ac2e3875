import { createHmac, randomBytes } from 'node:crypto';
import t from 'tap';
import { Fingerprinter } from '../src/fingerprint.js';

// The fingerprinter computes HMAC-SHA256 itself (precomputed key blocks, SHA-256 in JS): it
// must agree with node:crypto for every key and message length, across block boundaries.
function reference(key: Buffer, message: string): string {
  return createHmac('sha256', key).update(message, 'latin1').digest('hex').slice(0, 16);
}

function randomLatin1(length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(Math.floor(Math.random() * 256));
  return text;
}

t.test('agrees with node:crypto HMAC-SHA256 for keys and messages of every length around a block', async (t) => {
  let compared = 0;
  let differing = 0;
  for (const keyLength of [1, 7, 32, 63, 64, 65, 128, 300]) {
    const key = randomBytes(keyLength);
    const fingerprinter = new Fingerprinter(key);
    for (let length = 0; length <= 140; length++) {
      const message = randomLatin1(length);
      compared++;
      if (fingerprinter.of(message) !== reference(key, message)) differing++;
    }
  }
  t.equal(differing, 0, `${compared} key/message pairs compared`);
});

t.test('is 16 lower-case hex digits, stable per key, different across keys', async (t) => {
  const a = new Fingerprinter(Buffer.from('key-a'));
  const b = new Fingerprinter(Buffer.from('key-b'));
  const value = 'ABC123XYZ';
  t.match(a.of(value), /^[0-9a-f]{16}$/);
  t.equal(a.of(value), a.of(value));
  t.equal(a.of(value), new Fingerprinter(Buffer.from('key-a')).of(value));
  t.not(a.of(value), b.of(value));
  t.not(a.of(value), a.of('ABC123XYZ0'));
});

t.test('reads code units as Latin-1 bytes, as update(text, "latin1") does', async (t) => {
  const key = Buffer.from('k');
  const text = 'A\u00e9\u00ff\u0100Z';
  t.equal(new Fingerprinter(key).of(text), reference(key, text));
});

t.test('does not keep the caller key buffer alive or altered', async (t) => {
  const key = Buffer.from('a-key-that-must-not-change');
  const copy = Buffer.from(key);
  new Fingerprinter(key).of('X');
  t.same(key, copy);
});
