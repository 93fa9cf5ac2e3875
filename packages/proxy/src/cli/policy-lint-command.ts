/**
 * `leakguard policy lint FILE…`: the validation the proxy applies at load, offline, for CI.
 * Exit 0 when every file is valid, 1 when one is not, 2 on a usage error.
 * `leakguard policy schema` prints the published JSON Schema.
 */
import { readFileSync } from 'node:fs';
import { LeakguardError } from '@leakguard/detectors';
import { PolicyInvalidError, UsageError, type PolicyIssue } from '../errors.js';
import { loadPolicyFile } from '../policy/policy-loader.js';
import { POLICY_SCHEMA_URL } from '../policy/policy-schema.js';
import type { CommandIO } from './command-io.js';
import { parseOptions, renderOptions, type OptionSpec } from './option-parser.js';

const LINT_OPTIONS: readonly OptionSpec[] = [
  { name: 'format', value: 'text|json', default: 'text', description: 'Output format.' },
];

export const POLICY_USAGE = `Usage: leakguard policy lint [--format text|json] FILE...
       leakguard policy schema

lint    Validates DlpPolicy files exactly as the proxy does when it loads them (JSON Schema,
        rule references, detector patterns compiled by the engine). Every error names the
        field path. Exit 0: all valid; 1: at least one invalid.
schema  Prints the policy's JSON Schema (also shipped as schema/dlp-policy.schema.json).

Options:
${renderOptions(LINT_OPTIONS)}
`;

interface LintResult {
  file: string;
  valid: boolean;
  name?: string;
  revision?: string;
  mode?: string;
  issues?: readonly PolicyIssue[];
}

async function lintFile(file: string): Promise<LintResult> {
  try {
    const snapshot = await loadPolicyFile(file);
    return { file, valid: true, name: snapshot.name, revision: snapshot.revision, mode: snapshot.mode };
  } catch (error) {
    if (error instanceof PolicyInvalidError) return { file, valid: false, issues: error.issues };
    if (error instanceof LeakguardError) return { file, valid: false, issues: [{ path: '', message: error.message }] };
    throw error;
  }
}

export async function runPolicyCommand(argv: string[], io: CommandIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'schema') {
    io.stdout.write(readFileSync(POLICY_SCHEMA_URL, 'utf8'));
    return 0;
  }
  if (sub !== 'lint') {
    (sub === undefined || sub === '--help' || sub === '-h' ? io.stdout : io.stderr).write(POLICY_USAGE);
    return sub === undefined || sub === '--help' || sub === '-h' ? 0 : 2;
  }
  let parsed;
  try {
    parsed = parseOptions(LINT_OPTIONS, rest, {});
    if (parsed.help) {
      io.stdout.write(POLICY_USAGE);
      return 0;
    }
    if (parsed.positionals.length === 0) throw new UsageError('name at least one policy file');
    if (!['text', 'json'].includes(parsed.values.get('format') as string)) throw new UsageError('--format must be text or json');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`leakguard policy lint: ${error.message}\n`);
    return 2;
  }
  const results: LintResult[] = [];
  for (const file of parsed.positionals) results.push(await lintFile(file));
  if (parsed.values.get('format') === 'json') {
    io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    for (const result of results) {
      if (result.valid) {
        io.stdout.write(`${result.file}: ok (${result.name}, revision ${result.revision}, ${result.mode})\n`);
      } else {
        io.stdout.write(`${result.file}: invalid\n`);
        for (const issue of result.issues ?? []) io.stdout.write(`  ${issue.path ? `${issue.path}: ` : ''}${issue.message}\n`);
      }
    }
  }
  return results.every((result) => result.valid) ? 0 : 1;
}
