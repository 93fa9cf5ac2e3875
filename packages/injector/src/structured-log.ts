// JSON lines on a stream: one event per admission, TLS reload or error. Fields are chosen by
// the caller from summaries; a pod's spec or env never reaches a log line.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface StructuredLog {
  write(level: LogLevel, event: string, fields?: Record<string, string | number | boolean | undefined>): void;
}

export function createStructuredLog(stream: NodeJS.WritableStream, component = 'injector'): StructuredLog {
  return {
    write(level, event, fields = {}) {
      stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, component, event, ...fields })}\n`);
    },
  };
}
