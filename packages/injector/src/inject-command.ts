// `leakguard inject -f FILE|-`: the webhook's mutation, offline, on a manifest stream.
import { readFile } from 'node:fs/promises';
import type { CommandIO } from './command-io.js';
import { readStream } from './command-io.js';
import { InjectorError, UsageError } from './errors.js';
import { INJECTOR_FLAGS_HELP, injectorConfigFromFlags, parseCommandFlags } from './injector-flags.js';
import { isJsonObject } from './json.js';
import { injectManifests, namespaceFromObject, parseManifestDocuments } from './manifest-stream.js';
import type { NamespaceMetadata } from './mutate.js';
import { StaticNamespaceSource } from './namespace-source.js';
import { WORKLOAD_KINDS } from './workloads.js';

export const INJECT_HELP = `Usage: leakguard inject -f FILE|- [options]

Injects the Leakguard sidecar into every Pod and pod template (${WORKLOAD_KINDS.join(', ')},
also inside a v1 List) of a manifest stream, exactly as the admission webhook would, and writes
the stream to stdout. Warnings and denials go to stderr.

  -f, --filename FILE|-        manifest file, or - for stdin (required)
      --dry-run                explain per object whether and why it would be injected
  -o, --output yaml|json       output format (default yaml)
  -n, --namespace NS           namespace of objects without metadata.namespace (default "default")
      --namespace-labels K=V[,K=V]       labels of namespaces not described by a Namespace object
      --namespace-annotation K=V          (repeatable) annotation of those namespaces
      --namespace-file FILE    Namespace objects (YAML) giving labels and annotations
                               (Namespace objects in the input stream are used too)
  -h, --help

${INJECTOR_FLAGS_HELP}

Exit status: 0 all objects admitted, 1 at least one object would be denied, 2 usage or input error.`;

function parseKeyValues(items: string[], flag: string, splitCommas: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    for (const pair of splitCommas ? item.split(',') : [item]) {
      if (pair.trim() === '') continue;
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`${flag}: expected KEY=VALUE, got ${JSON.stringify(pair)}`);
      out[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
    }
  }
  return out;
}

export async function runInject(argv: string[], io: CommandIO, env: NodeJS.ProcessEnv): Promise<number> {
  try {
    const v = parseCommandFlags(argv, {
      filename: { type: 'string', short: 'f' },
      'dry-run': { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      namespace: { type: 'string', short: 'n' },
      'namespace-labels': { type: 'string', multiple: true },
      'namespace-annotation': { type: 'string', multiple: true },
      'namespace-file': { type: 'string' },
    } as const);
    if (v.help) {
      io.stdout.write(`${INJECT_HELP}\n`);
      return 0;
    }
    if (!v.filename) throw new UsageError('-f FILE|- is required');
    const output = v.output ?? 'yaml';
    if (output !== 'yaml' && output !== 'json') throw new UsageError(`--output must be yaml or json, got ${JSON.stringify(output)}`);
    const config = injectorConfigFromFlags(v, env);
    const labels = parseKeyValues(v['namespace-labels'] ?? [], '--namespace-labels', true);
    const annotations = parseKeyValues(v['namespace-annotation'] ?? [], '--namespace-annotation', false);
    const described: NamespaceMetadata[] = [];
    if (v['namespace-file']) {
      const file = v['namespace-file'];
      for (const doc of parseManifestDocuments(await readFile(file, 'utf8'), file)) {
        const value = doc.toJS() as unknown;
        const items = isJsonObject(value) && value.kind === 'List' && Array.isArray(value.items) ? value.items : [value];
        for (const item of items) {
          const ns = isJsonObject(item) ? namespaceFromObject(item) : undefined;
          if (ns) described.push(ns);
        }
      }
    }
    const namespaces = new StaticNamespaceSource(described, (name) => ({ name, labels: { ...labels }, annotations: { ...annotations } }));
    const source = v.filename === '-' ? 'stdin' : v.filename;
    const text = v.filename === '-' ? await readStream(io.stdin) : await readFile(v.filename, 'utf8');
    const result = await injectManifests(text, source, { config, defaultNamespace: v.namespace ?? 'default', namespaces });

    let denied = 0;
    for (const { identity, admission } of result.results) {
      if (!admission.allowed) denied++;
      if (v['dry-run']) {
        const verdict = admission.verdict === 'inject' ? (admission.patch.length > 0 ? 'inject' : 'inject (already injected, no change)') : admission.verdict;
        io.stdout.write(`${identity}: ${verdict}${admission.mode ? ` (${admission.mode})` : ''}\n`);
        for (const line of admission.explanation) io.stdout.write(`  - ${line}\n`);
        for (const w of admission.warnings) io.stdout.write(`  warning: ${w}\n`);
        if (admission.denial) io.stdout.write(`  denied: ${admission.denial}\n`);
      } else {
        for (const w of admission.warnings) io.stderr.write(`Warning: ${identity}: ${w}\n`);
        if (admission.denial) io.stderr.write(`Error: ${identity}: ${admission.denial}\n`);
      }
    }
    if (v['dry-run'] && result.results.length === 0) io.stdout.write('no Pod or pod template in the input\n');
    if (!v['dry-run']) {
      if (output === 'yaml') io.stdout.write(result.yaml);
      else {
        const objects = result.objects.filter((o) => o !== null);
        const doc = objects.length === 1 ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects };
        io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
      }
    }
    return denied > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof InjectorError) {
      io.stderr.write(`Error: ${err.message} (${err.code})\n`);
      if (err instanceof UsageError) io.stderr.write('Run "leakguard inject --help" for usage.\n');
      return 2;
    }
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      io.stderr.write(`Error: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
}

/** Entry point for the `leakguard inject` subcommand (argv after "inject"). */
export function runInjectCommand(argv: string[], io: CommandIO): Promise<number> {
  return runInject(argv, io, process.env);
}
