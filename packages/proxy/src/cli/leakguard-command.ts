/**
 * `leakguard <command>`: the one binary of the project. `proxy`, `policy` and `demo` live here;
 * `scan` is the engine's, `inject` and `webhook` the injector's, loaded on demand so that each
 * package's command stays its own.
 */
import { readFileSync } from 'node:fs';
import type { CommandIO, SubcommandRunner } from './command-io.js';

const HELP = `Usage: leakguard <command> [options]

Network DLP sidecar for Kubernetes: finds SSNs, payment cards, Medicare and NHS numbers in
HTTP traffic and logs, redacts or blocks them as a DlpPolicy says.

Commands:
  proxy         Run the sidecar proxy in front of an app (what the injected container runs).
  demo          Run a sample patient-records API behind the proxy and print curl commands to try.
  policy lint   Validate DlpPolicy files, exactly as the proxy does at load (for CI).
  policy schema Print the DlpPolicy JSON Schema.
  scan          Scan files or stdin for sensitive data with the same engine.
  inject        Add the sidecar to Kubernetes manifests (kubectl apply -f <(leakguard inject -f app.yaml)).
  webhook       Run the mutating admission webhook that injects the sidecar into pods.

Run 'leakguard <command> --help' for the options of a command.
`;

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Loads a command exported by another workspace package, typed by what we expect of it. */
async function external(specifier: string, exportName: string): Promise<SubcommandRunner | string> {
  let module: Record<string, unknown>;
  try {
    module = (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    return `${specifier} could not be loaded (${(error as Error).message})`;
  }
  const runner = module[exportName];
  return typeof runner === 'function' ? (runner as SubcommandRunner) : `${specifier} does not provide ${exportName}`;
}

const COMMANDS: Readonly<Record<string, () => Promise<SubcommandRunner | string>>> = {
  proxy: async () => (await import('./proxy-command.js')).runProxyCommand,
  policy: async () => (await import('./policy-lint-command.js')).runPolicyCommand,
  demo: async () => (await import('./demo-command.js')).runDemoCommand,
  scan: () => external('@leakguard/detectors', 'runScanCommand'),
  inject: () => external('@leakguard/injector', 'runInjectCommand'),
  webhook: () => external('@leakguard/injector', 'runWebhookCommand'),
};

/** Runs `leakguard` with `argv` (without the node and script paths); resolves to the exit code. */
export async function runLeakguard(argv: string[], io: CommandIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    io.stdout.write(`leakguard ${version()}\n`);
    return 0;
  }
  const load = COMMANDS[command];
  if (!load) {
    io.stderr.write(`leakguard: unknown command "${command}"\n\n${HELP}`);
    return 2;
  }
  const runner = await load();
  if (typeof runner === 'string') {
    io.stderr.write(`leakguard ${command}: ${runner}\n`);
    return 1;
  }
  return runner(rest, io);
}
