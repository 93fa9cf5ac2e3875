/**
 * A seeded, generated corpus of realistic payloads (JSON API bodies, form posts, XML/SOAP,
 * application logs): lots of digits that are not identifiers (phones, timestamps, epoch
 * millis, prices, order ids, UUIDs, barcodes) and about one real identifier per 10 KB.
 */

/** Mulberry32: a tiny deterministic PRNG so every run scans the same bytes. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function luhnComplete(partial: string): string {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let d = Number(partial[partial.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return partial + String((10 - (sum % 10)) % 10);
}

export type PayloadKind = 'json' | 'form' | 'xml' | 'log';

class Generator {
  constructor(private readonly random: () => number) {}
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(10));
    return s;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  word(): string {
    return this.pick(['alpha', 'status', 'shipped', 'pending', 'customer', 'invoice', 'address', 'Main St', 'Springfield', 'note', 'lorem', 'ipsum', 'dolor', 'amet', 'quantity', 'warehouse']);
  }
  phone(): string {
    return this.pick([`555-${this.digits(3)}-${this.digits(4)}`, `(555) ${this.digits(3)}-${this.digits(4)}`, `+1${this.digits(10)}`]);
  }
  uuid(): string {
    const h = () => this.int(16).toString(16);
    const part = (n: number) => Array.from({ length: n }, h).join('');
    return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
  }
  epochMillis(): string {
    return String(1_700_000_000_000 + this.int(99_999_999_999));
  }
  isoTime(): string {
    return `2026-${String(1 + this.int(12)).padStart(2, '0')}-${String(1 + this.int(28)).padStart(2, '0')}T${this.digits(2)}:${this.digits(2)}:${this.digits(2)}.${this.digits(3)}Z`;
  }
  price(): string {
    return `${this.int(2000)}.${this.digits(2)}`;
  }
  orderId(): string {
    return this.pick([`ORD-${this.digits(10)}`, this.digits(9), this.digits(12), `INV${this.digits(8)}`]);
  }
  barcode(): string {
    return this.digits(13);
  }
  /** A real identifier: a valid SSN, card, MBI, NPI or NHS number. */
  identifier(): [string, string] {
    switch (this.int(5)) {
      case 0:
        return ['ssn', `${String(100 + this.int(500))}-${String(10 + this.int(89))}-${String(1000 + this.int(8999))}`];
      case 1:
        return ['card_number', luhnComplete('4' + this.digits(14))];
      case 2:
        return ['medicare_mbi', `${1 + this.int(9)}EG4-TE5-MK${this.digits(2)}`];
      case 3:
        return ['npi', luhnComplete('80840' + '1' + this.digits(8)).slice(5)];
      default:
        return ['ssn', `${String(100 + this.int(500))} ${String(10 + this.int(89))} ${String(1000 + this.int(8999))}`];
    }
  }
  noiseField(): [string, string] {
    // About half the fields of real API payloads are text; the rest carry the digits that
    // make a DLP engine work: phones, ids, timestamps, prices, barcodes.
    if (this.int(2) === 0) return [this.pick(['name', 'city', 'status', 'comment', 'email']), `${this.word()} ${this.word()}`];
    switch (this.int(9)) {
      case 0: return ['phone', this.phone()];
      case 1: return ['id', this.uuid()];
      case 2: return ['created', this.isoTime()];
      case 3: return ['ts', this.epochMillis()];
      case 4: return ['price', this.price()];
      case 5: return ['order', this.orderId()];
      case 6: return ['barcode', this.barcode()];
      case 7: return ['qty', String(this.int(500))];
      default: return ['note', `${this.word()} ${this.word()} ${this.word()}`];
    }
  }
}

function record(g: Generator, kind: PayloadKind, withIdentifier: boolean): string {
  const fields: Array<[string, string]> = [];
  const count = 6 + g.int(8);
  for (let i = 0; i < count; i++) fields.push(g.noiseField());
  if (withIdentifier) fields.splice(g.int(fields.length), 0, g.identifier());
  switch (kind) {
    case 'json':
      return '{' + fields.map(([k, v]) => `"${k}":${/^\d+(\.\d+)?$/.test(v) && !v.startsWith('0') ? v : JSON.stringify(v)}`).join(',') + '}';
    case 'form':
      return fields.map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%20/g, '+')}`).join('&');
    case 'xml':
      return '<record>' + fields.map(([k, v]) => `<${k}>${v}</${k}>`).join('') + '</record>';
    case 'log':
      return `${g.isoTime()} INFO request ` + fields.map(([k, v]) => `${k}=${v}`).join(' ');
  }
}

/**
 * Payloads of about `bodyBytes` each, `count` of them, the four kinds in turn, with an
 * identifier about every `identifierEvery` bytes.
 */
export function generateCorpus(seed: number, count: number, bodyBytes: number, identifierEvery = 10_000): Buffer[] {
  const g = new Generator(rng(seed));
  const kinds: PayloadKind[] = ['json', 'form', 'xml', 'log'];
  const bodies: Buffer[] = [];
  let sinceIdentifier = 0;
  let nextAt = identifierEvery * (0.5 + g.int(1000) / 1000);
  for (let i = 0; i < count; i++) {
    const kind = kinds[i % kinds.length] as PayloadKind;
    const parts: string[] = [];
    let size = 0;
    while (size < bodyBytes) {
      const withIdentifier = sinceIdentifier >= nextAt;
      const r = record(g, kind, withIdentifier);
      if (withIdentifier) {
        sinceIdentifier = 0;
        nextAt = identifierEvery * (0.5 + g.int(1000) / 1000);
      }
      parts.push(r);
      size += r.length + 1;
      sinceIdentifier += r.length + 1;
    }
    const joiner = kind === 'form' ? '&' : '\n';
    const body = kind === 'json' ? `[${parts.join(',\n')}]` : kind === 'xml' ? `<?xml version="1.0"?><records>${parts.join('\n')}</records>` : parts.join(joiner);
    bodies.push(Buffer.from(body, 'utf8'));
  }
  return bodies;
}
