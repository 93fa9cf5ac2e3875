/**
 * `spec.inspect.skipContentTypes`, compiled once per revision: exact `type/subtype`,
 * `type/*` and `*\/*` entries. A missing or unparsable Content-Type is never skipped.
 */
export class ContentTypeFilter {
  private readonly exact: ReadonlySet<string>;
  private readonly types: ReadonlySet<string>;
  private readonly all: boolean;

  constructor(patterns: readonly string[]) {
    const exact = new Set<string>();
    const types = new Set<string>();
    let all = false;
    for (const pattern of patterns) {
      const [type, subtype] = pattern.toLowerCase().split('/') as [string, string];
      if (type === '*' && subtype === '*') all = true;
      else if (subtype === '*') types.add(type);
      else exact.add(`${type}/${subtype}`);
    }
    this.exact = exact;
    this.types = types;
    this.all = all;
  }

  /** True when a body of this Content-Type passes uninspected. */
  skips(contentType: string | undefined): boolean {
    if (!contentType) return false;
    const semicolon = contentType.indexOf(';');
    const mediaType = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
    const slash = mediaType.indexOf('/');
    if (slash <= 0 || slash === mediaType.length - 1) return false;
    return this.all || this.exact.has(mediaType) || this.types.has(mediaType.slice(0, slash));
  }
}
