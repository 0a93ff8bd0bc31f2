import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { type LoadedCheckpoint, type ResumeState, type TrainerStateJson, KilnError, latestCheckpoint, readCheckpoint } from '@kiln/core-trainer';
import type * as tfl from '@tensorflow/tfjs-layers';

export const ResumeErrorCodes = {
  NOT_FOUND: 'KILN_RESUME_NOT_FOUND', // --resume names neither a run directory nor a checkpoint directory
  NO_CHECKPOINT: 'KILN_RESUME_NO_CHECKPOINT', // nothing to resume from: a directory that is not a run (no config.yaml) with no complete checkpoint, or a checkpoint without optimizer state (damaged ones are listed)
  MODEL_MISMATCH: 'KILN_RESUME_MODEL_MISMATCH', // the config builds a model whose weights differ from the checkpoint's: resume with the run's own config
} as const;

/**
 * Where a resume starts: the run directory and the checkpoint inside it. A Kiln run directory
 * (it has config.yaml) stopped before its first checkpoint was complete resumes from the start:
 * `checkpointDir` is undefined (as Lightning's ckpt_path="last" and Keras' BackupAndRestore do
 * when there is nothing saved yet). Anything else without a complete checkpoint is an error.
 */
export async function locateResume(target: string, cwd: string): Promise<{ runDir: string; checkpointDir?: string; skipped: string[] }> {
  const path = resolve(cwd, target);
  if (!existsSync(path) || !statSync(path).isDirectory()) {
    throw new KilnError(ResumeErrorCodes.NOT_FOUND, `--resume '${target}' is not a directory. Pass a run directory (runs/<name>) or one of its checkpoints (runs/<name>/checkpoints/<id>).`);
  }
  if (existsSync(join(path, 'manifest.json'))) {
    const parent = dirname(path);
    return { runDir: basename(parent) === 'checkpoints' ? dirname(parent) : parent, checkpointDir: path, skipped: [] };
  }
  const { checkpoint, skipped } = await latestCheckpoint(path);
  const skippedText = skipped.filter((s) => s.reason !== "superseded").map((s) => `${s.path}: ${s.message}`);
  if (!checkpoint) {
    if (existsSync(join(path, 'config.yaml'))) return { runDir: path, skipped: skippedText };
    throw new KilnError(ResumeErrorCodes.NO_CHECKPOINT,
      `Run '${target}' has no complete checkpoint to resume from${skipped.length ? ` (not usable: ${skippedText.join('; ')})` : ''}. Checkpoints are written by the model-checkpoint callback and on Ctrl-C.`);
  }
  return { runDir: path, checkpointDir: checkpoint.path, skipped: skippedText };
}

/** Reads the checkpoint (verifying its manifest), copies its weights into `model` and returns the state to resume with. */
export async function loadResume(checkpointDir: string, model: tfl.LayersModel): Promise<ResumeState> {
  const ck: LoadedCheckpoint = await readCheckpoint(checkpointDir);
  try {
    const want = model.weights.map((w) => `${w.shape.join('x')}`);
    const have = ck.model.weights.map((w) => `${w.shape.join('x')}`);
    const firstDiff = want.findIndex((s, i) => s !== have[i]);
    if (want.length !== have.length || firstDiff >= 0) {
      const i = firstDiff >= 0 ? firstDiff : Math.min(want.length, have.length);
      throw new KilnError(ResumeErrorCodes.MODEL_MISMATCH,
        `The configured model does not match checkpoint '${checkpointDir}': it has ${want.length} weight tensors, the checkpoint ${have.length}; ` +
        `the first difference is weight #${i} (${model.weights[i]?.originalName ?? '-'} ${want[i] ?? '-'} vs ${ck.model.weights[i]?.originalName ?? '-'} ${have[i] ?? '-'}). ` +
        'Resume with the run\'s own config.yaml (do not change model.* when resuming).');
    }
    model.setWeights(ck.model.getWeights());
  } finally {
    ck.model.dispose();
  }
  if (!ck.optimizerState) throw new KilnError(ResumeErrorCodes.NO_CHECKPOINT, `Checkpoint '${checkpointDir}' holds no optimizer state, so training cannot continue exactly from it.`);
  return { trainerState: ck.trainerState as TrainerStateJson, optimizerState: ck.optimizerState };
}

/**
 * Drops history rows written after the checkpoint (they are about to be recomputed), so a resumed
 * run's history.jsonl has each step once; with no checkpoint (`state` null, a restart from the
 * beginning) it drops them all. Rewrites through a temp file and rename: never torn.
 */
export function trimHistory(file: string, state: TrainerStateJson | null): void {
  if (!existsSync(file)) return;
  const keep = readFileSync(file, 'utf8').split('\n').filter((line) => {
    if (!line.trim() || !state) return false;
    try {
      const row = JSON.parse(line) as { step?: number; epoch?: number; loss?: number };
      if ((row.step ?? 0) > state.globalStep) return false;
      return !(row.step === state.globalStep && row.epoch === state.epoch && 'loss' in row);
    } catch {
      return false; // a torn last line from a kill
    }
  });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, keep.map((l) => `${l}\n`).join(''));
  renameSync(tmp, file);
}

/** A run directory given on the command line: must exist and hold the run's config.yaml. */
export function locateRunDir(target: string, cwd: string): string {
  const path = resolve(cwd, target);
  if (!existsSync(join(path, 'config.yaml'))) {
    throw new KilnError(ResumeErrorCodes.NOT_FOUND, `'${target}' is not a Kiln run directory (no config.yaml in ${path}). Pass runs/<name>.`);
  }
  return path;
}
