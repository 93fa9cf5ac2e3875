/**
 * Process entry of the `leakguard` binary (`bin/leakguard.js` imports the built form).
 * Long-running commands resolve when they have shut down cleanly.
 */
import { runLeakguard } from './leakguard-command.js';

const code = await runLeakguard(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
process.exitCode = code;
// A command that resolved is done: a stray handle (an idle socket, a watcher) must not keep the
// process alive, nor cut stdout short, so exit once pending output had a moment to drain.
setTimeout(() => process.exit(code), 500).unref();
