import { KilnError, Rng, withSeededRandom } from '@kiln/core-trainer';
import { goldenStep, installNative } from '@kiln/plugin-backend-native';
import { loadConfig } from '../config/load.js';
import { CliErrorCodes } from '../errors.js';
import { resolveRun } from '../internal/assemble.js';
import type { Io } from '../internal/output.js';
import { withSession } from '../internal/session.js';
import { table } from './plugins.js';

/**
 * `kiln backend install native [--gpu] [--from <wheel | libtensorflow archive | dir>]`: installs
 * native TensorFlow for this project; with --from it builds the binding offline from the given
 * libraries, and leaves nothing half-installed when it fails.
 */
export async function backendInstall(args: { what?: string; gpu: boolean; from?: string }, io: Io): Promise<number> {
  if (args.what !== 'native') throw new KilnError(CliErrorCodes.USAGE, "Use 'kiln backend install native [--gpu] [--from <tensorflow wheel | libtensorflow archive | directory>]'.");
  const r = await installNative({ gpu: args.gpu, from: args.from, cwd: io.cwd, log: (l) => io.err(l) });
  io.out(`installed ${r.package} (TensorFlow ${r.tfVersion}, from ${r.source}); a fresh process runs on ${r.device}. 'kiln doctor' shows it.`);
  return 0;
}

/**
 * `kiln golden-step [--config run.yaml] --backends a,b [key.path=value …]`: one training step of
 * the configured model on two backends from the same weights and batch; prints max |Δ| per variable.
 */
export async function goldenStepCommand(args: { config?: string; overrides: readonly string[]; backends?: string }, io: Io): Promise<number> {
  const names = (args.backends ?? 'cpu,wasm').split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length !== 2) throw new KilnError(CliErrorCodes.USAGE, `--backends takes two backend names, e.g. --backends native,wasm (got '${args.backends}').`);
  const { config, baseDir } = loadConfig(args.config, [...args.overrides, `backend=${names[0]}`], io.cwd);
  return withSession(config, baseDir, io, async ({ host, parts, backend: first }) => {
    const second = host.registries.backends.get(names[1]);
    const probe = await second.probe();
    if (!probe.ok) throw new KilnError('KILN_BACKEND_UNAVAILABLE', `Backend '${names[1]}' cannot run here: ${probe.reason}${probe.fix ? ` — fix: ${probe.fix}` : ''}`);
    const info = await second.activate(config.backendOptions[names[1]]);
    const run = resolveRun(host, config);
    const spec = parts.datasets.train.spec;
    const build = () => withSeededRandom(new Rng(config.seed).fork('model-init'),
      () => run.model.factory.create(run.model.options, { inputShape: spec.inputShape, numClasses: spec.numClasses, task: spec.task }));
    const r = await goldenStep(build, [first.tfBackend, info.tfBackend], config.seed);
    io.out(table(['variable', 'shape', 'max |Δ| weight', 'max |Δ| grad', 'max |grad|'], r.variables.map((v) => [
      v.name, v.shape.join('x'), v.maxAbsDiff.toExponential(2), v.trainable ? v.maxAbsGradDiff.toExponential(2) : '-', v.trainable ? v.maxAbsGrad.toExponential(2) : '-',
    ])));
    io.out(`loss: ${r.loss[0].toPrecision(8)} on ${names[0]}, ${r.loss[1].toPrecision(8)} on ${names[1]}; largest weight difference after one step: ${r.maxAbsDiff.toExponential(3)}`);
    return 0;
  });
}
