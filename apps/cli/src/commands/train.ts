import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ProgressBar } from '@kiln/callbacks';
import { type Callback, type FitResult, type Logger, Trainer, saveModelFiles, writeCheckpoint } from '@kiln/core-trainer';
import { type BadSample, writeBadSampleReport } from '@kiln/data';
import { FanoutLogger, readHistory, redactSecrets, writeJsonAtomic } from '@kiln/loggers';
import { loadConfig } from '../config/load.js';
import { makeCallbacks } from '../internal/assemble.js';
import { exitCodeForStop } from '../internal/exit-codes.js';
import { type Io, formatDuration } from '../internal/output.js';
import { loadResume, locateResume, trimHistory } from '../internal/resume.js';
import { createRunDir, writeConfigYaml } from '../internal/run-dir.js';
import { withSession } from '../internal/session.js';

export interface TrainArgs {
  readonly config?: string;
  readonly overrides: readonly string[];
  /** A run directory or checkpoint to continue (same run dir, history appended). */
  readonly resume?: string;
}

/**
 * `kiln train`: validates the whole config and every plugin option first, then selects the
 * backend, builds data and model, trains, and leaves `runs/<name>/` with config.yaml,
 * history.jsonl and the final model (tfjs format). Ctrl-C stops at the next batch and saves a
 * checkpoint first. Resolves with the exit code.
 */
export async function train(args: TrainArgs, io: Io): Promise<number> {
  const resumeFrom = args.resume ? await locateResume(args.resume, io.cwd) : undefined;
  const { config, raw, baseDir } = loadConfig(args.config ?? (resumeFrom && join(resumeFrom.runDir, 'config.yaml')), args.overrides, io.cwd);
  return withSession(config, baseDir, io, async ({ run, backend, parts }) => {
    const { train, val } = parts.datasets;
    const resume = resumeFrom?.checkpointDir ? await loadResume(resumeFrom.checkpointDir, parts.model) : undefined;
    const { runDir, runName } = resumeFrom
      ? { runDir: resumeFrom.runDir, runName: basename(resumeFrom.runDir) }
      : createRunDir(config.output.dir, config.name ?? `${run.model.name}-${run.data.name}`, io.cwd);
    if (resumeFrom) {
      const skipped = resumeFrom.skipped.length ? `; skipped damaged: ${resumeFrom.skipped.join('; ')}` : '';
      io.err(resume
        ? `resuming ${runDir} from ${resumeFrom.checkpointDir} (epoch ${resume.trainerState.epoch}, step ${resume.trainerState.globalStep})${skipped}`
        : `resuming ${runDir}: it stopped before its first complete checkpoint, so it starts again from step 0 with its own config.yaml${skipped}`);
      trimHistory(join(runDir, 'history.jsonl'), resume?.trainerState ?? null);
    } else writeConfigYaml(runDir, { ...raw, name: runName });
    // Splits of one source may share one list: report each bad sample once.
    const bad = [...new Set([train, val].flatMap((d) => (d as { badSamples?: readonly BadSample[] } | undefined)?.badSamples ?? []))];
    if (bad.length) io.err(`skipped ${bad.length} bad sample(s) (onBadSample: skip): listed in ${await writeBadSampleReport(runDir, bad)}`);

    // A restart from step 0 in the same directory is a resume for the loggers too: same W&B/MLflow
    // run, and steps already delivered are not sent twice (a seeded run recomputes the same values).
    const loggerCtx = { runDir, runName, resumed: resumeFrom !== undefined, env: io.env };
    const loggers: Logger[] = await Promise.all(run.loggers.map((l) => l.factory.create(l.options, loggerCtx)));
    const logger = new FanoutLogger(loggers);
    await logger.logParams(redactSecrets({ ...raw, backend: backend.name }) as Record<string, unknown>);

    const callbacks: Callback[] = [...makeCallbacks(run, runDir)];
    if (!run.callbacks.some((c) => c.name === 'progress' || c.name === 'progress-bar')) {
      callbacks.unshift(new ProgressBar({ stream: io.progress ?? { write: (t: string) => io.out(t.replace(/\n$/, '')) }, env: io.env }));
    }
    callbacks.push(interruptCheckpoint(runDir));

    const trainer = new Trainer({ ...config.trainer, seed: config.seed }, {
      callbacks, loggers: [logger], runDir, warn: (m) => io.err(`warning: ${m}`),
      checkpointWriter: async (dir, s) => {
        await writeCheckpoint(dir, { model: s.model, optimizerState: s.optimizerState, trainerState: s.trainerState });
        await logger.flush(); // the outbox is durable at every checkpoint
      },
    });
    const detach = onSignals(() => {
      io.err('\nStopping after this batch (a checkpoint is saved first). Press Ctrl-C again to quit at once.');
      trainer.stop('interrupted');
    });
    io.err(`run: ${runDir}  (${parts.datasets.train.size} train / ${parts.datasets.val?.size ?? 0} val samples, ${parts.model.countParams().toLocaleString('en-US')} parameters)`);
    let result: FitResult;
    let before: Record<string, number> | undefined;
    try {
      // A full validation pass before training: the baseline the summary compares against.
      before = parts.val && !resume ? await trainer.validate(parts.module, parts.val) : undefined;
      if (before) io.out(`before training: ${Object.entries(before).map(([k, v]) => `${k} ${v.toFixed(4)}`).join('  ')}`);
      result = await trainer.fit(parts.module, parts.train, parts.val, resume);
    } catch (e) {
      await logger.finish('failed');
      throw e;
    } finally {
      detach();
    }
    await saveModelFiles(parts.model, join(runDir, 'model'));
    // Run files for remote loggers (W&B run files, MLflow artifacts): the config and the final model.
    for (const [file, kind] of [['config.yaml', 'config'], ['model/model.json', 'model'], ['model/weights.bin', 'model']] as const) {
      await logger.logArtifact(join(runDir, file), kind);
    }
    const historyFile = join(runDir, 'history.jsonl');
    if (existsSync(historyFile)) await writeJsonAtomic(join(runDir, 'history.json'), readHistory(historyFile));
    await logger.finish(result.stopReason === 'interrupted' ? 'killed' : 'finished');
    parts.model.dispose();
    io.out(summary(result, runDir, backend.name, before));
    return exitCodeForStop(result.stopReason);
  });
}

/** On an interrupted run, saves a checkpoint before training ends (ModelCheckpoint may save others). */
function interruptCheckpoint(runDir: string): Callback {
  return {
    name: 'interrupt-checkpoint', order: 200,
    async onTrainEnd(ctx) {
      if (ctx.stopReason === 'interrupted') await ctx.saveCheckpoint(join(runDir, 'checkpoints', `interrupted-step${ctx.state.globalStep}`));
    },
  };
}

function onSignals(handler: () => void): () => void {
  let count = 0;
  const listener = (signal: NodeJS.Signals) => {
    count += 1;
    if (count > 1) process.exit(130);
    handler();
    void signal;
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
}

const WHY: Record<string, string> = {
  completed: 'completed all epochs', max_steps: 'reached trainer.maxSteps', max_time: 'reached trainer.maxTime',
  early_stopping: 'stopped early: the monitored metric stopped improving', interrupted: 'interrupted by the user (checkpoint saved)',
};

/** The closing lines of a run: why it stopped, each validation value against its value before training. */
export function summary(r: FitResult, runDir: string, backend: string, first?: Record<string, number>): string {
  const lines = [`\nRun ${WHY[r.stopReason] ?? `stopped: ${r.stopReason}`} after ${r.epochsCompleted} epoch(s), ${r.globalStep} steps, in ${formatDuration(r.durationMs / 1000)} on ${backend}.`];
  if (r.microBatchSize) lines.push(`  out of memory at full batch size: trained in micro-batches of ${r.microBatchSize} (same gradients).`);
  for (const [k, v] of Object.entries(r.logs)) {
    if (!k.startsWith('val_')) continue;
    const start = first?.[k];
    const better = start === undefined ? '' : k === 'val_loss' ? (v < start ? ' (improved)' : ' (did not improve)') : (v > start ? ' (improved)' : ' (did not improve)');
    lines.push(`  ${k}: ${start === undefined ? '' : `${start.toFixed(4)} → `}${v.toFixed(4)}${better}`);
  }
  lines.push(`  run directory: ${runDir}`, `  final model:   ${join(runDir, 'model', 'model.json')}`);
  return lines.join('\n');
}
