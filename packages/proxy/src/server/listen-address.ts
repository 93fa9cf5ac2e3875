/** `[HOST:]PORT` addresses of the listeners and of the upstream app. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors.js';

export interface ListenAddress {
  /** Undefined: every interface (IPv6 and IPv4 where available). */
  host: string | undefined;
  port: number;
}

function parsePort(text: string, what: string): number {
  if (!/^[0-9]{1,5}$/.test(text)) throw new UsageError(`${what}: "${text}" is not a port number`);
  const port = Number(text);
  if (port > 65535) throw new UsageError(`${what}: port ${port} is out of range`);
  return port;
}

/** Parses `15100`, `:15100`, `0.0.0.0:15100`, `[::1]:15100`, `localhost:0`. */
export function parseListenAddress(value: string, what: string): ListenAddress {
  const text = value.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  const bracket = /^\[([^\]]+)\]:([0-9]+)$/.exec(text);
  if (bracket) return { host: bracket[1], port: parsePort(bracket[2] as string, what) };
  const colon = text.lastIndexOf(':');
  if (colon === -1) return { host: undefined, port: parsePort(text, what) };
  const host = text.slice(0, colon);
  if (host.includes(':')) throw new UsageError(`${what}: write IPv6 addresses in brackets, e.g. [::1]:8080`);
  return { host: host === '' ? undefined : host, port: parsePort(text.slice(colon + 1), what) };
}

/** `host:port` for messages. */
export function formatAddress(address: { host?: string | undefined; address?: string; port: number }): string {
  const host = address.host ?? address.address ?? '*';
  return host.includes(':') ? `[${host}]:${address.port}` : `${host}:${address.port}`;
}

/** Starts listening; rejects with the listen error (EADDRINUSE…). */
export function listen(server: Server, address: ListenAddress): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen({ port: address.port, host: address.host, exclusive: false }, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}
