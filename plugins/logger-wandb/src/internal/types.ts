/** The shape of an @kiln/loggers OutboxRecord that the sender reads. */
export interface OutboxRecordLike {
  readonly seq: number;
  readonly key: string;
  readonly kind: string;
  readonly payload: unknown;
  readonly time: number;
}

/** What a send function tells the outbox's Deliverer. */
export type SendOutcome = { ok: true } | { ok: false; retryAfterMs?: number; fatal?: boolean; error: string };
