/**
 * Bench bodies: JSON-ish patient/payment records (realistic text for the engine: names, dates,
 * amounts, ids) with a synthetic test card number about every 8 KiB, so Leakguard's redact mode
 * does real work at every size. The 1 KiB body holds exactly one card.
 */
const CARDS = ['4111 1111 1111 1111', '5555 5555 5555 4444', '2223 0031 2200 3222'];

function record(i: number, withCard: boolean): string {
  const fields = [
    `"id":"ord_${String(100000 + i)}"`,
    `"patient":"Test Patient ${String(i % 997).padStart(3, '0')}"`,
    `"date":"2024-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}"`,
    `"amount":"${(10 + ((i * 37) % 990)).toFixed(2)}"`,
    `"status":"${i % 3 === 0 ? 'pending' : 'settled'}"`,
    `"note":"follow-up visit, lab results reviewed, no change to medication"`,
  ];
  if (withCard) fields.push(`"card":"${CARDS[i % CARDS.length]}"`);
  return `{${fields.join(',')}}`;
}

/** A body of exactly `size` bytes; `cards: false` leaves the card numbers out. */
export function benchBody(size: number, cards = true): Buffer {
  const parts: string[] = [];
  let length = 2;
  for (let i = 0; length < size; i++) {
    // One card in the first record, then one about every 8 KiB.
    const text = record(i, cards && (i === 0 || (length % 8192) + 300 > 8192));
    parts.push(text);
    length += text.length + 1;
  }
  const text = `[${parts.join(',')}]`;
  return Buffer.from(text.length >= size ? `${text.slice(0, size - 1)}]` : text.padEnd(size, ' '));
}
