/**
 * A body that is already in memory, in the shape http-proxy's `buffer` option takes (it only
 * calls `pipe(proxyReq)`): the bytes are written in one call, without a stream per request.
 */
import { Stream, type Writable } from 'node:stream';

export class BufferedBody extends Stream {
  constructor(private readonly bytes: Buffer) {
    super();
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T): T {
    (destination as unknown as Writable).end(this.bytes);
    return destination;
  }
}

/** The body of a request that has none: stateless, so one instance serves every exchange. */
export const NO_BODY = new BufferedBody(Buffer.alloc(0));
