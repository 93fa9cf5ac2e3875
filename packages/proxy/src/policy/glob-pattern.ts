/**
 * Globs of route rules, compiled once per policy revision into anchored regular expressions.
 * The separator is `/` for paths and `.` for hosts: `*` stays within one segment (label),
 * `**` crosses them, `?` is one character other than the separator.
 */

function escapeLiteral(char: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char;
}

/** Compiles a glob to an anchored RegExp. `a/**` also matches `a` itself (the subtree root). */
export function compileGlob(glob: string, separator: '/' | '.', flags = ''): RegExp {
  const sep = escapeLiteral(separator);
  const notSep = `[^${sep}]`;
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] as string;
    if (char === '*' && glob[i + 1] === '*') {
      const startsSegment = i === 0 || glob[i - 1] === separator;
      const next = i + 2;
      if (startsSegment && next === glob.length && source.endsWith(sep)) {
        // `x/**`: the separator before it becomes optional so the subtree root matches too.
        source = `${source.slice(0, -sep.length)}(?:${sep}.*)?`;
      } else if (startsSegment && glob[next] === separator) {
        // `**/` at the start or in the middle: zero or more whole segments.
        source += `(?:.*${sep})?`;
        i = next;
        continue;
      } else {
        source += '.*';
      }
      i = next - 1;
    } else if (char === '*') {
      source += `${notSep}*`;
    } else if (char === '?') {
      source += notSep;
    } else {
      source += escapeLiteral(char);
    }
  }
  return new RegExp(`^${source}$`, flags);
}
