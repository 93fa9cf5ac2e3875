/** The streams a subcommand gets (the same shape the engine's and the injector's commands take). */
export interface CommandIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Runs a subcommand: resolves to the process exit code. */
export type SubcommandRunner = (argv: string[], io: CommandIO) => Promise<number>;
