import type { Confidence } from '../types.js';

/**
 * What a detector contributes to the engine. Built-ins and custom detectors both compile to
 * this; the engine joins every `shapes` entry of every enabled detector into one RE2 pattern.
 */
export interface DetectorDefinition {
  readonly id: string;
  /**
   * Pattern sources of the value's printed forms, valid in both RE2 and JavaScript syntax,
   * with no anchors or boundaries: the engine adds word boundaries around built-in shapes.
   */
  readonly shapes: readonly string[];
  /**
   * Printed forms whose base confidence is `low` (bare nine digits, NPI, NHS, RRB). Unless a
   * policy asks for `minConfidence: low`, they can only be reported with a keyword nearby,
   * so the engine looks for them only around keywords: most digit runs in real traffic are
   * phone numbers and ids of exactly these shapes.
   */
  readonly weakShapes: readonly string[];
  /** Longest possible match in bytes: bounds the hold-back window. */
  readonly maxLength: number;
  /** Context words that raise confidence (lower-case). */
  readonly keywords: readonly string[];
  /**
   * Words that, as the last word before a value (a key's last word: `providerPhone`,
   * `provider_phone`, `<ProviderPhone>`, `Provider phone:`), say it is something else: the
   * keywords around it then do not raise its confidence. Lower-case.
   */
  readonly contraryWords?: readonly string[];
  /**
   * Decides whether a match is the identifier. `text` is the matched view bytes (latin1),
   * `canonical` its ASCII letters and digits, upper-cased. Returns the confidence before
   * context keywords are considered, or `null` when validation fails.
   */
  evaluate(text: string, canonical: string): Confidence | null;
}

/**
 * `a-b-c`, `a b c` and `a+b+c` forms of a grouped number, one separator style per value (`+`
 * is a space in a URL query, as the number appears in access logs and other text bodies;
 * form bodies are decoded to spaces before matching).
 */
export function grouped(groups: readonly string[]): string[] {
  return [groups.join('-'), groups.join(' '), groups.join('\\+')];
}
