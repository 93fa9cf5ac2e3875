/**
 * Options of the `leakguard` subcommands: `--name value`, `--name=value` or `--flag`, each
 * with a `LEAKGUARD_*` environment fallback, as a container expects. The same table renders
 * the help text, so the help never disagrees with the parser.
 */
import { UsageError } from '../errors.js';

export interface OptionSpec {
  /** Long name without dashes (`upstream-timeout`). */
  name: string;
  /** Environment variable read when the option is absent. */
  env?: string;
  /** Placeholder in the help (`HOST:PORT`); absent for boolean flags. */
  value?: string;
  /** Default, as text (shown in the help). */
  default?: string;
  description: string;
}

export interface ParsedOptions {
  /** Option values by name (flags are `'true'`), after env fallbacks and defaults. */
  values: Map<string, string>;
  /** Where each value came from, for error messages. */
  origin: Map<string, string>;
  positionals: string[];
  help: boolean;
}

export function parseOptions(specs: readonly OptionSpec[], argv: readonly string[], env: NodeJS.ProcessEnv): ParsedOptions {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const values = new Map<string, string>();
  const origin = new Map<string, string>();
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown option --${name} (see --help)`);
    let value: string;
    if (spec.value === undefined) {
      value = eq === -1 ? 'true' : arg.slice(eq + 1);
    } else if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`option --${name} needs a value (${spec.value})`);
      value = next;
      i++;
    }
    values.set(name, value);
    origin.set(name, `--${name}`);
  }
  for (const spec of specs) {
    if (values.has(spec.name)) continue;
    const fromEnv = spec.env ? env[spec.env] : undefined;
    if (fromEnv !== undefined && fromEnv !== '') {
      values.set(spec.name, fromEnv);
      origin.set(spec.name, spec.env as string);
    } else if (spec.default !== undefined) {
      values.set(spec.name, spec.default);
      origin.set(spec.name, `default of --${spec.name}`);
    }
  }
  return { values, origin, positionals, help };
}

/** Converts one option value, naming the option (or env var) in the error. */
export function convertOption<T>(parsed: ParsedOptions, name: string, convert: (text: string) => T | undefined, expected: string): T | undefined {
  const text = parsed.values.get(name);
  if (text === undefined) return undefined;
  const value = convert(text);
  if (value === undefined) throw new UsageError(`${parsed.origin.get(name) ?? `--${name}`}: "${text}" is not ${expected}`);
  return value;
}

export function isTrue(text: string | undefined): boolean {
  return text !== undefined && /^(1|true|yes|on)$/i.test(text);
}

/** The option table as help text. */
export function renderOptions(specs: readonly OptionSpec[]): string {
  const rows = specs.map((spec) => [`--${spec.name}${spec.value ? ` ${spec.value}` : ''}`, spec] as const);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows
    .map(([left, spec]) => {
      const extra = [spec.env ? `env ${spec.env}` : '', spec.default !== undefined ? `default ${spec.default}` : ''].filter(Boolean).join(', ');
      return `  ${left.padEnd(width)}${spec.description}${extra ? `\n  ${''.padEnd(width)}(${extra})` : ''}`;
    })
    .join('\n');
}
