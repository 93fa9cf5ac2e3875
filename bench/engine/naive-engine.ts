import RE2 from 're2';

/**
 * The baseline of issue 2: one RE2 of SSN | 13–19 digit run | MBI shapes, run with a global
 * `exec` loop over the Buffer, no validation. What a first DLP filter typically is.
 */
export class NaiveEngine {
  private readonly re = new RE2(
    '\\b\\d{3}-\\d{2}-\\d{4}\\b|\\b(?:\\d[ -]?){12,18}\\d\\b|\\b[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\\d-?[AC-HJKMNP-RT-Y]{2}\\d{2}\\b',
    'g',
  );

  /** Number of candidate matches in `body`. */
  scan(body: Buffer): number {
    const re = this.re;
    re.lastIndex = 0;
    let count = 0;
    while (re.exec(body) !== null) count++;
    return count;
  }
}
