/**
 * Exchange steps that became ready during one event-loop turn, run together in that turn's
 * check phase (`setImmediate`), in two passes: every step's `inspect`, then every step's
 * `forward`. The work is the same as running each step where it became ready; the order is
 * not. One inspection after another finds the engine's code, its RE2 automata and its tables
 * in the CPU caches, and one forward after another finds Node's HTTP code there, where an
 * inspection between two requests' worth of HTTP work finds neither.
 *
 * Measured with the bench's CPU probe (proxy CPU per request at 1 KiB, 32 connections, best of
 * 8 interleaved rounds; plain http-proxy 85–98 µs): a card in every body, GET 157 → 123 µs,
 * POST 177 → 133 µs; no findings, GET 116 → 90 µs. A step waits for nothing but the end of the
 * poll phase that made it ready.
 */

/**
 * Body bytes one batch holds at most; a step that would take it past this runs at once, where
 * it became ready. Bodies are what the cache cannot keep: uncapped batches of 1 MiB bodies (32
 * connections) cost 10.5–12.4 ms of CPU per request against 8.1–9.8 ms run one by one, each
 * body being read back for its forward after the others evicted it; with 64 KiB bodies
 * batching still gained (493 µs against 554 µs a request).
 */
const MAX_BATCH_BYTES = 1024 * 1024;

/** Marks a step whose `inspect` threw: its `forward` is not run. */
const FAILED: unique symbol = Symbol('failed');

export class ExchangeBatch {
  private inspects: (() => unknown)[] = [];
  private forwards: ((inspected: unknown) => void)[] = [];
  private bytes = 0;

  /**
   * `inFlight`: how many exchanges are in flight, the caller's included. A step of the only
   * exchange in flight, with no batch pending, runs at once: nothing would share its batch, and
   * the hop to the check phase alone cost 40–70 µs at one connection (median p50 of 12 rounds,
   * POST 0.418 → 0.349 ms, GET 0.325 → 0.287 ms).
   */
  constructor(private readonly inFlight: () => number) {}

  /**
   * Runs `forward(inspect())` in this turn's check phase, beside the other steps added in the
   * same turn. Both callbacks must check that their exchange is still live: it may have ended
   * (client gone, timeout, drain) since the step was added. `bytes`: the body the step holds.
   * A step runs at once instead when it is alone in flight, or its body would take the batch
   * past its budget.
   */
  add<T>(inspect: () => T, forward: (inspected: T) => void, bytes = 0): void {
    if ((this.inspects.length === 0 && this.inFlight() <= 1) || (bytes > 0 && this.bytes + bytes > MAX_BATCH_BYTES)) {
      forward(inspect());
      return;
    }
    this.bytes += bytes;
    this.forwards.push(forward as (inspected: unknown) => void);
    if (this.inspects.push(inspect) === 1) setImmediate(this.run);
  }

  private readonly run = (): void => {
    const inspects = this.inspects;
    const forwards = this.forwards;
    // Steps added while this batch runs (a forward that ends another body) go to the next one.
    this.inspects = [];
    this.forwards = [];
    this.bytes = 0;
    const results: unknown[] = new Array(inspects.length);
    // A step that throws is a bug; the others still run, then the first error is thrown on,
    // as it would have been had the step run alone.
    let failure: { error: unknown } | undefined;
    for (let i = 0; i < inspects.length; i++) {
      try {
        results[i] = (inspects[i] as () => unknown)();
      } catch (error) {
        results[i] = FAILED;
        failure ??= { error };
      }
    }
    for (let i = 0; i < forwards.length; i++) {
      if (results[i] === FAILED) continue;
      try {
        (forwards[i] as (inspected: unknown) => void)(results[i]);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
  };
}
