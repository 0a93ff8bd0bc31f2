import { KilnError } from '@kiln/core-trainer';
import { DataErrorCodes } from '../errors.js';
import type { AugmentDraw, Fitted, ImageRecord, PipelineConfig } from '../pipeline/pipeline.js';

/** One decode+augment job for a worker. `fitted` skips decoding (cache hit); `wantFitted` asks for the decoded image back. */
export interface DecodeTask {
  readonly record: ImageRecord;
  readonly cfg: PipelineConfig;
  readonly draw?: AugmentDraw;
  readonly fitted?: Fitted;
  readonly wantFitted?: boolean;
}

export interface DecodeResult {
  readonly x: Float32Array;
  readonly y: Float32Array | Int32Array | number;
  readonly fitted?: Fitted;
}

export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly result: DecodeResult }
  | { readonly id: number; readonly ok: false; readonly error: { message: string; code?: string; details?: Record<string, unknown> } };

export function serializeError(e: unknown): { message: string; code?: string; details?: Record<string, unknown> } {
  const err = e as { message?: string; code?: string; details?: Record<string, unknown> };
  return { message: err?.message ?? String(e), code: typeof err?.code === 'string' && err.code.startsWith('KILN_') ? err.code : undefined, details: err?.details };
}

export function deserializeError(e: { message: string; code?: string; details?: Record<string, unknown> }): Error {
  return e.code ? new KilnError(e.code as `KILN_${string}`, e.message, { details: e.details }) : new KilnError(DataErrorCodes.WORKER, `Decode worker failed: ${e.message}`);
}
