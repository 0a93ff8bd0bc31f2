import type { Batch, HookContext, LoopState, TrainingModule } from '@kiln/core-trainer';

export interface FakeRun {
  state: LoopState;
  logs: Record<string, number>;
  module: TrainingModule;
  runDir?: string;
  batch?: Batch;
  error?: unknown;
  stopReason?: string;
  stops: string[];
  saved: string[];
  saveCheckpoint?: (dir: string) => Promise<void>;
}

/** A run whose `ctx()` builds a real HookContext from the current fields (a stand-in for the Trainer's loop). */
export function fakeRun(init: Partial<FakeRun> = {}): FakeRun & { ctx(): HookContext } {
  const run: FakeRun & { ctx(): HookContext } = {
    state: { epoch: 0, globalStep: 0, batchInEpoch: 0 },
    logs: {},
    module: undefined as unknown as TrainingModule,
    stops: [],
    saved: [],
    ...init,
    ctx() {
      return {
        state: { ...run.state }, logs: { ...run.logs }, module: run.module, runDir: run.runDir, batch: run.batch,
        error: run.error, stopReason: run.stopReason ?? run.stops[0],
        stop: (reason: string) => { run.stops.push(reason); },
        saveCheckpoint: async (dir: string) => { run.saved.push(dir); await run.saveCheckpoint?.(dir); },
      };
    },
  };
  return run;
}

/** A sink that records what is written. */
export function sink(): { write(s: string): boolean; text: string } {
  const s = { text: '', write(t: string) { s.text += t; return true; } };
  return s;
}
