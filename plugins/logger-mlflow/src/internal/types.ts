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

export interface MetricsPayload {
  step: number;
  /** ms since the epoch, fixed when logged: a re-sent metric is identical, and MLflow's store keeps it once. */
  timestamp: number;
  values: Record<string, number>;
}

export interface ArtifactPayload {
  /** Artifact path inside the run (`checkpoints/best/model.json`). */
  path: string;
  data?: Uint8Array;
  /** Path relative to the outbox folder of a snapshot of the file. */
  blob?: string;
}
