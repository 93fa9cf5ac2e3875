/**
 * Finds context keywords the way documents and APIs write them: in any case, with the words of
 * a keyword joined by a space, `_`, `-` or nothing (`social security`, `SOCIAL_SECURITY`,
 * `socialSecurityNumber`, `TaxPayerId`).
 *
 * Keywords of four characters or more count wherever they occur (`patientssn#`, `cardNumber`).
 * Shorter ones (`ssn`, `tin`, `ssa`, `npi`, `cc`) must be a word of their own, camelCase humps
 * and a plural `s` included: `patientSsn`, `customerTIN`, `ssnValue`, `NHSNumber`, `SSNs` count;
 * `Justin`, `Vanessa`, `access` and `setting` do not.
 */

/** Characters under which a keyword is short and must stand as a word. */
const SHORT = 4;

/** A word boundary before a short keyword: no letter before it, or a camelCase hump (`patientSsn`). */
const SHORT_BEFORE = '(?:(?<![A-Za-z])|(?<=[a-z])(?=[A-Z]))';
/**
 * A word boundary after one: no letter after it, a plural `s` ending the word, a hump after a
 * lower-case end (`ssnValue`), or an acronym followed by a capitalised word (`NHSNumber`).
 */
const SHORT_AFTER = '(?:(?![A-Za-z])|(?=[sS](?![A-Za-z]))|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z]))';
/** What may join the words of a keyword. */
const JOINER_JS = '[ _-]?';
const JOINER_RE2 = '[ _\\-]?';

function escapeChar(c: string): string {
  return /[\\^$.*+?()[\]{}|/#-]/.test(c) ? `\\${c}` : c === ' ' ? '\\x20' : c;
}

/** One keyword as JavaScript pattern source: each ASCII letter in either case. */
function jsSource(keyword: string): string {
  const body = keyword
    .split(' ')
    .filter((word) => word.length > 0)
    .map((word) => [...word].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : escapeChar(c))).join(''))
    .join(JOINER_JS);
  return keyword.length < SHORT ? `${SHORT_BEFORE}${body}${SHORT_AFTER}` : body;
}

/** Keywords as given: trimmed, lower-case, unique, longest first (an alternation takes the first that fits). */
function normalise(keywords: readonly string[]): string[] {
  const unique = [...new Set(keywords.map((k) => k.trim().replace(/\s+/g, ' ').toLowerCase()).filter((k) => k.length > 0))];
  return unique.sort((a, b) => b.length - a.length);
}

export class KeywordMatcher {
  private readonly keywords: readonly string[];
  /** Any keyword anywhere in a context. */
  private readonly anywhere: RegExp | null;
  /** A keyword starting exactly at `lastIndex`. */
  private readonly sticky: RegExp | null;

  constructor(keywords: readonly string[]) {
    this.keywords = normalise(keywords);
    const source = this.keywords.map(jsSource).join('|');
    this.anywhere = source === '' ? null : new RegExp(source);
    this.sticky = source === '' ? null : new RegExp(source, 'y');
  }

  /** Whether a keyword occurs in `context` (text as written, any case). */
  foundIn(context: string): boolean {
    return this.anywhere !== null && this.anywhere.test(context);
  }

  /**
   * Length of the keyword that starts at `at` in `text`, 0 when none does. `text` holds the
   * character before `at` (when there is one) and the two after the keyword, which the word
   * boundary rules read.
   */
  lengthAt(text: string, at: number): number {
    const sticky = this.sticky;
    if (sticky === null) return 0;
    sticky.lastIndex = at;
    const match = sticky.exec(text);
    return match === null ? 0 : match[0].length;
  }

  /**
   * An RE2 pattern that matches at least every keyword occurrence this matcher accepts (RE2
   * has no look-behind, so the word boundary before a short keyword is left to `lengthAt`).
   * A short keyword's match takes the plural `s` and the byte after it; a longer keyword's
   * match is the keyword. One case-insensitive group: measured as fast as listing the cases.
   */
  re2Source(): string | null {
    if (this.keywords.length === 0) return null;
    const long: string[] = [];
    const short: string[] = [];
    for (const keyword of this.keywords) {
      const body = keyword
        .split(' ')
        .map((word) => [...word].map(escapeChar).join(''))
        .join(JOINER_RE2);
      (keyword.length < SHORT ? short : long).push(body);
    }
    const parts: string[] = [];
    if (long.length > 0) parts.push(`(?i:${long.join('|')})`);
    // Not followed by a lower-case letter: an upper-case one may start the next camelCase word.
    if (short.length > 0) parts.push(`(?i:${short.join('|')})[sS]?(?:[^a-z]|$)`);
    return parts.join('|');
  }

  /** The keywords, lower-case. */
  get list(): readonly string[] {
    return this.keywords;
  }

  get size(): number {
    return this.keywords.length;
  }
}
