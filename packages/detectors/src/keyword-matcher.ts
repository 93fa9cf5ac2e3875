/**
 * Finds context keywords near a candidate. Keywords are matched case-insensitively; short ones
 * (under four characters: `ssn`, `npi`, `cc`) must not be followed by a letter, so that `cc`
 * does not fire inside `access` while `patientSsn` and `ssn#` still count.
 */
export class KeywordMatcher {
  private readonly keywords: readonly string[];

  constructor(keywords: readonly string[]) {
    this.keywords = [...new Set(keywords.map((k) => k.toLowerCase()).filter((k) => k.length > 0))];
  }

  /** Whether a keyword occurs in `context`, which must already be lower-case. */
  foundIn(context: string): boolean {
    for (const keyword of this.keywords) {
      let at = context.indexOf(keyword);
      while (at >= 0) {
        if (keyword.length >= 4) return true;
        const next = context.charCodeAt(at + keyword.length);
        if (!(next >= 97 && next <= 122)) return true;
        at = context.indexOf(keyword, at + 1);
      }
    }
    return false;
  }

  /** The keywords, lower-case. */
  get list(): readonly string[] {
    return this.keywords;
  }

  get size(): number {
    return this.keywords.length;
  }
}
