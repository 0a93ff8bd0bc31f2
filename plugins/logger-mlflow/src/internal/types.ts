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
  /** Path of the snapshot (`snapshotRunFiles`) relative to the outbox folder. */
  blob?: string;
}
