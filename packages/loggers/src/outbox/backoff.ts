/** How a `Deliverer` batches and retries. */
export interface RetryPolicy {
  /** First retry waits up to this long (ms); each further attempt doubles the ceiling. */
  readonly baseMs: number;
  /** Ceiling of the backoff delay (ms). */
  readonly maxMs: number;
  /** Most records per `send` call. */
  readonly maxBatch: number;
  /** A `send` that takes longer is aborted and counted as a retryable failure (ms). */
  readonly timeoutMs: number;
  /** A server's `Retry-After` is honoured up to this long (ms; default 10 minutes). */
  readonly maxRetryAfterMs?: number;
}

/**
 * Defaults: 1 s → 60 s backoff, 500 records per batch, 30 s per request.
 * @example new Deliverer(box, send, { ...DEFAULT_RETRY_POLICY, maxBatch: 100 })
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ baseMs: 1000, maxMs: 60_000, maxBatch: 500, timeoutMs: 30_000, maxRetryAfterMs: 600_000 });

/**
 * Exponential backoff with full jitter: a delay drawn uniformly from [0, min(maxMs, baseMs·2^attempt)),
 * for `attempt` = 0 on the first retry. Pure: `rng` returns numbers in [0, 1).
 * @example backoffDelay(3, { baseMs: 100, maxMs: 5000 }, () => 0.5) // 400
 */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'> = DEFAULT_RETRY_POLICY, rng: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, Math.min(attempt, 1023)));
  return Math.floor(Math.min(Math.max(rng(), 0), 1 - Number.EPSILON) * ceiling);
}
