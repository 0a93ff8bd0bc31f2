import type { ZodType } from 'zod';

export type RunStatus = 'finished' | 'failed' | 'killed';

/** An image for `logImage`: HWC bytes (uint8, 1/3/4 channels). */
export interface LoggedImage {
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3 | 4;
  readonly data: Uint8Array;
}

/**
 * Where a run's numbers go. Calls must return quickly and never throw into training: a remote
 * logger writes to its durable outbox and delivers in the background. `finish` flushes what it
 * can and is called once, with how the run ended.
 */
export interface Logger {
  readonly name: string;
  logParams(params: Readonly<Record<string, unknown>>): void | Promise<void>;
  logMetrics(step: number, values: Readonly<Record<string, number>>): void | Promise<void>;
  logImage?(step: number, tag: string, image: LoggedImage): void | Promise<void>;
  logHistogram?(step: number, tag: string, values: Float32Array): void | Promise<void>;
  logText?(step: number, tag: string, text: string): void | Promise<void>;
  logArtifact?(path: string, kind?: string): void | Promise<void>;
  /** Make everything logged so far durable (fsync the outbox); called after each checkpoint. */
  flush?(): void | Promise<void>;
  finish(status: RunStatus): void | Promise<void>;
}

/** Context a logger factory gets: the run directory and name, for files and run ids. */
export interface LoggerContext {
  readonly runDir: string;
  readonly runName: string;
  readonly resumed: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface LoggerFactory<O = Record<string, unknown>> {
  readonly schema: ZodType<O>;
  create(options: O, context: LoggerContext): Logger | Promise<Logger>;
  /**
   * Remote loggers: deliver what the run's outbox still holds (used by `kiln sync <run dir>`),
   * exactly once. Resolves with how many events were delivered and how many remain.
   */
  replay?(options: O, context: LoggerContext): Promise<{ delivered: number; remaining: number }>;
}
