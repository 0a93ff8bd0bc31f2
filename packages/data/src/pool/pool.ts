import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { KilnError } from '@kiln/core-trainer';
import { DataErrorCodes } from '../errors.js';
import { requireOption } from '../internal/check.js';
import { type DecodeResult, type DecodeTask, deserializeError, type WorkerReply } from './protocol.js';

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (r: DecodeResult) => void; reject: (e: Error) => void }>;
}

function spawn(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    // Running from sources (tests): boot the .ts entry through tsx with the source condition.
    return new Worker(new URL('./boot-source.mjs', here), {
      workerData: { entry: new URL('./worker.ts', here).href }, execArgv: ['--conditions', '@kiln/source'],
    });
  }
  return new Worker(new URL('./worker.js', here));
}

/**
 * A pool of worker threads that decode, augment and normalise images off the main thread, so the
 * training step and the next batch's decoding overlap. Tasks go to the least busy worker; idle
 * workers do not keep the process alive. A worker that dies fails its tasks with KILN_DATA_WORKER
 * and is replaced on the next task.
 * @example const pool = new DecodePool(2); const ds = await createFolderDataset({ root, pool }); … await pool.close();
 */
export class DecodePool {
  readonly size: number;
  readonly #slots: (Slot | undefined)[];
  #next = 0;

  /** `size` workers; default max(1, cores − 1). */
  constructor(size = Math.max(1, availableParallelism() - 1)) {
    requireOption(Number.isInteger(size) && size >= 1, 'workers', `must be an integer ≥ 1 (got ${size}).`);
    this.size = size;
    this.#slots = Array.from({ length: size }, () => undefined);
  }

  run(task: DecodeTask): Promise<DecodeResult> {
    const i = this.#pick();
    const slot = this.#slots[i] ?? this.#start(i);
    const id = this.#next++;
    return new Promise<DecodeResult>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.ref();
      slot.worker.postMessage({ id, task });
    });
  }

  /** Stops every worker; pending tasks fail. */
  async close(): Promise<void> {
    const slots = this.#slots.splice(0, this.#slots.length, ...this.#slots.map(() => undefined));
    await Promise.all(slots.map((s) => s?.worker.terminate()));
  }

  #pick(): number {
    let best = 0;
    let load = Infinity;
    this.#slots.forEach((s, i) => {
      const l = s ? s.pending.size : -1;
      if (l < load) { load = l; best = i; }
    });
    return best;
  }

  #start(i: number): Slot {
    const slot: Slot = { worker: spawn(), pending: new Map() };
    this.#slots[i] = slot;
    const fail = (why: string, cause?: unknown): void => {
      if (this.#slots[i] === slot) this.#slots[i] = undefined;
      const err = new KilnError(DataErrorCodes.WORKER, `A decode worker stopped (${why}). Set workers: 0 to decode on the main thread and see the real error.`, { cause });
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
    };
    slot.worker.on('message', (m: WorkerReply) => {
      const p = slot.pending.get(m.id);
      if (!p) return;
      slot.pending.delete(m.id);
      if (slot.pending.size === 0) slot.worker.unref();
      if (m.ok) p.resolve(m.result);
      else p.reject(deserializeError(m.error));
    });
    slot.worker.on('error', (e) => fail(e.message, e));
    slot.worker.on('exit', (code) => fail(`exit code ${code}`));
    slot.worker.unref();
    return slot;
  }
}
