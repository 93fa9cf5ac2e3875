/**
 * Graceful shutdown of a listener: stop accepting, let exchanges in flight finish up to a
 * grace period, then cut what is left. Tracks the exchanges for that purpose.
 */
import type { Server } from 'node:http';
import type { ExchangeTracker } from '../exchange/exchange-context.js';

interface Abortable {
  abort(): void;
  /** Bytes the exchange holds in memory (held body output, raw copies). */
  readonly heldBytes: number;
}

export class DrainController implements ExchangeTracker {
  private isDraining = false;
  private readonly inFlight = new Set<Abortable>();
  private idle: (() => void) | undefined;

  get draining(): boolean {
    return this.isDraining;
  }

  get size(): number {
    return this.inFlight.size;
  }

  /** Bytes held by every exchange in flight: what backpressure must keep bounded. */
  get heldBytes(): number {
    let total = 0;
    for (const exchange of this.inFlight) total += exchange.heldBytes;
    return total;
  }

  add(exchange: Abortable): void {
    this.inFlight.add(exchange);
  }

  delete(exchange: Abortable): void {
    this.inFlight.delete(exchange);
    if (this.inFlight.size === 0) this.idle?.();
  }

  /**
   * Drains `servers`: resolves with the number of exchanges that had to be cut when the grace
   * period ran out (0 for a clean drain).
   */
  async drain(servers: readonly Server[], graceMs: number): Promise<number> {
    this.isDraining = true;
    const closed = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    for (const server of servers) server.closeIdleConnections();
    let cut = 0;
    if (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        new Promise<false>((resolve) => (this.idle = () => resolve(false))),
        new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
      ]);
      if (timer) clearTimeout(timer);
      if (timedOut) {
        cut = this.inFlight.size;
        for (const exchange of [...this.inFlight]) exchange.abort();
      }
    }
    // Keep-alive connections that finished their last exchange: close them now.
    for (const server of servers) server.closeAllConnections();
    await Promise.all(closed);
    return cut;
  }
}
