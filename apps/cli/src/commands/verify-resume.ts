import { join } from 'node:path';
import { CliErrorCodes } from '../errors.js';
import { type Callback, KilnError, Trainer, type TrainerStateJson, listCheckpoints, readCheckpoint, stepCompilerFor } from '@kiln/core-trainer';
import { loadConfig } from '../config/load.js';
import type { Io } from '../internal/output.js';
import { loadResume, locateRunDir } from '../internal/resume.js';
import { withSession } from '../internal/session.js';

/** Largest relative weight difference accepted as float round-off when steps were compiled. */
const ROUND_OFF = 1e-5;

/**
 * `kiln verify-resume <run dir>`: replays the run from its second-newest checkpoint up to the step
 * of its newest one and compares the weights. Exit 0 when they are identical (or, with compiled steps, equal to float round-off), 3 when they differ
 * (the largest |Δ| per variable is printed), 2 when the run has fewer than two checkpoints.
 */
export async function verifyResume(args: { run?: string }, io: Io): Promise<number> {
  if (!args.run) throw new KilnError(CliErrorCodes.USAGE, "kiln verify-resume needs a run directory: 'kiln verify-resume runs/<name>'.");
  const runDir = locateRunDir(args.run, io.cwd);
  const { checkpoints } = await listCheckpoints(runDir);
  // The newest checkpoint, and the newest one before it in steps ('last' often repeats the final step).
  const to = checkpoints.at(-1);
  const from = to && [...checkpoints].reverse().find((c) => (c.manifest.globalStep ?? 0) < (to.manifest.globalStep ?? 0));
  if (!to || !from) {
    throw new KilnError('KILN_RESUME_NO_CHECKPOINT',
      `verify-resume needs two checkpoints of different steps in ${join(runDir, 'checkpoints')} (found ${checkpoints.length}). Train with callbacks: [{ name: model-checkpoint, saveTopK: -1 }] or everyNSteps so more than one is kept.`);
  }
  const { config, baseDir } = loadConfig(join(runDir, 'config.yaml'), ['callbacks=[]', 'loggers=[]'], io.cwd);
  return withSession(config, baseDir, io, async ({ parts, backend }) => {
    const target = await readCheckpoint(to.path);
    const targetStep = (target.trainerState as TrainerStateJson).globalStep;
    try {
      const resume = await loadResume(from.path, parts.model);
      const stopAt: Callback = { name: 'stop-at-target', onBatchEnd: (ctx) => { if (ctx.state.globalStep >= targetStep) ctx.stop('verify'); } };
      io.err(`replaying ${from.id} (step ${resume.trainerState.globalStep}) → ${to.id} (step ${targetStep}) on ${backend.name}`);
      await new Trainer({ ...config.trainer, seed: config.seed }, { callbacks: [stopAt] }).fit(parts.module, parts.train, parts.val, resume);
      const want = target.model.getWeights();
      let worst = 0;
      const rows: string[] = [];
      let worstRel = 0;
      parts.model.getWeights().forEach((w, i) => {
        const a = w.dataSync();
        const b = want[i].dataSync();
        let d = 0;
        for (let k = 0; k < a.length; k++) {
          d = Math.max(d, Math.abs(a[k] - b[k]));
          worstRel = Math.max(worstRel, Math.abs(a[k] - b[k]) / Math.max(1, Math.abs(b[k])));
        }
        worst = Math.max(worst, d);
        rows.push(`  ${parts.model.weights[i].originalName.padEnd(40)} max |Δ| ${d.toExponential(2)}`);
      });
      io.out(rows.join('\n'));
      if (worst === 0) {
        io.out(`resume verified: the replay from ${from.id} reproduces ${to.id} exactly.`);
        return 0;
      }
      // Compiled steps (trainer.compile on a backend with a step compiler) run TensorFlow's graph
      // kernels, which may round differently from the eager kernels of the first step after a
      // resume: equal to float round-off is what such a run can promise.
      if (config.trainer.compile && stepCompilerFor() && worstRel <= ROUND_OFF) {
        io.out(`resume verified: the replay from ${from.id} reproduces ${to.id} to float round-off (max |Δ| ${worst.toExponential(2)}, relative ${worstRel.toExponential(2)} ≤ ${ROUND_OFF}): `
          + 'compiled steps may round differently from the eager first step of a resume. Run with trainer.compile=false for a bit-exact check.');
        return 0;
      }
      io.out(`resume MISMATCH: the replay differs from ${to.id} by up to ${worst.toExponential(3)}.`);
      return 3;
    } finally {
      target.model.dispose();
    }
  });
}
