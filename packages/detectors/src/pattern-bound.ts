/**
 * Static analysis of an RE2 pattern: the longest text it can match. Custom detectors must be
 * bounded, because the streaming scanner holds back that many bytes to stay independent of
 * how a body is chunked.
 */

/** The result of measuring a pattern. */
export interface PatternBound {
  /** Longest match in characters, or `Infinity` when a repetition is unbounded. */
  maxChars: number;
  /** Whether some atom can match a non-ASCII (multi-byte) character. */
  wide: boolean;
}

class Cursor {
  pos = 0;
  wide = false;
  constructor(readonly src: string) {}
  peek(offset = 0): string | undefined {
    return this.src[this.pos + offset];
  }
  eof(): boolean {
    return this.pos >= this.src.length;
  }
}

const ZERO_WIDTH_ESCAPES = new Set(['b', 'B', 'A', 'z', 'Z']);
const WIDE_ESCAPES = new Set(['D', 'W', 'S', 'p', 'P', 'C']);

/** Measures `pattern`. Throws nothing: syntax errors are RE2's to report. */
export function measurePattern(pattern: string): PatternBound {
  const cursor = new Cursor(pattern);
  const maxChars = alternation(cursor);
  return { maxChars, wide: cursor.wide };
}

function alternation(c: Cursor): number {
  let best = concatenation(c);
  while (c.peek() === '|') {
    c.pos++;
    best = Math.max(best, concatenation(c));
  }
  return best;
}

function concatenation(c: Cursor): number {
  let total = 0;
  while (!c.eof() && c.peek() !== '|' && c.peek() !== ')') {
    const atomLength = atom(c);
    total += repetition(c, atomLength);
  }
  return total;
}

function repetition(c: Cursor, atomLength: number): number {
  let length = atomLength;
  for (;;) {
    const ch = c.peek();
    if (ch === '*' || ch === '+') {
      c.pos++;
      length = atomLength === 0 ? 0 : Infinity;
    } else if (ch === '?') {
      c.pos++;
    } else if (ch === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(c.src.slice(c.pos));
      if (!m) return length; // a literal '{', counted by atom() on the next turn
      c.pos += m[0].length;
      const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
      length = atomLength === 0 ? 0 : atomLength * max;
    } else {
      return length;
    }
    if (c.peek() === '?') c.pos++; // lazy form of the quantifier
  }
}

function atom(c: Cursor): number {
  const ch = c.peek() as string;
  c.pos++;
  switch (ch) {
    case '(':
      return group(c);
    case '[':
      return characterClass(c);
    case '\\':
      return escape(c);
    case '.':
      c.wide = true;
      return 1;
    case '^':
    case '$':
      return 0;
    default:
      if (ch.charCodeAt(0) > 0x7f) c.wide = true;
      return 1;
  }
}

function group(c: Cursor): number {
  if (c.peek() === '?') {
    c.pos++;
    if (c.peek() === 'P' || c.peek() === '<') {
      const close = c.src.indexOf('>', c.pos);
      c.pos = close < 0 ? c.src.length : close + 1;
    } else {
      // Flags: "(?i)" sets them for the rest of the enclosing group, "(?i:…)" groups.
      while (!c.eof() && /[imsU-]/.test(c.peek() as string)) c.pos++;
      if (c.peek() === ')') {
        c.pos++;
        return 0;
      }
      if (c.peek() === ':') c.pos++;
    }
  }
  const length = alternation(c);
  if (c.peek() === ')') c.pos++;
  return length;
}

function characterClass(c: Cursor): number {
  if (c.peek() === '^') {
    c.wide = true;
    c.pos++;
  }
  if (c.peek() === ']') c.pos++;
  while (!c.eof() && c.peek() !== ']') {
    const ch = c.peek() as string;
    if (ch === '\\') {
      if (WIDE_ESCAPES.has(c.peek(1) ?? '')) c.wide = true;
      c.pos += 2;
    } else if (ch === '[' && c.peek(1) === ':') {
      const close = c.src.indexOf(':]', c.pos);
      c.pos = close < 0 ? c.src.length : close + 2;
    } else {
      if (ch.charCodeAt(0) > 0x7f) c.wide = true;
      c.pos++;
    }
  }
  c.pos++;
  return 1;
}

function escape(c: Cursor): number {
  const ch = c.peek() ?? '';
  c.pos++;
  if (ZERO_WIDTH_ESCAPES.has(ch)) return 0;
  if (WIDE_ESCAPES.has(ch)) {
    c.wide = true;
    if ((ch === 'p' || ch === 'P') && c.peek() === '{') {
      const close = c.src.indexOf('}', c.pos);
      c.pos = close < 0 ? c.src.length : close + 1;
    } else if (ch === 'p' || ch === 'P') {
      c.pos++;
    }
    return 1;
  }
  if (ch === 'Q') {
    const close = c.src.indexOf('\\E', c.pos);
    const literal = c.src.slice(c.pos, close < 0 ? c.src.length : close);
    c.pos = close < 0 ? c.src.length : close + 2;
    if (/[^\x00-\x7f]/.test(literal)) c.wide = true;
    return literal.length;
  }
  if (ch === 'x') {
    if (c.peek() === '{') {
      const close = c.src.indexOf('}', c.pos);
      const code = parseInt(c.src.slice(c.pos + 1, close), 16);
      if (code > 0x7f) c.wide = true;
      c.pos = close < 0 ? c.src.length : close + 1;
    } else {
      c.pos += 2;
    }
    return 1;
  }
  return 1;
}
