import { isKilnError } from '@kiln/core-trainer';
import { checkFlags, parseArgs } from './internal/args.js';
import { ExitCode, exitCodeForError } from './internal/exit-codes.js';
import { type Io, processIo } from './internal/output.js';
import { backendInstall, goldenStepCommand } from './commands/backend.js';
import { configCommand } from './commands/config.js';
import { dataInspect } from './commands/data-inspect.js';
import { doctor } from './commands/doctor.js';
import { models } from './commands/models.js';
import { listPlugins } from './commands/plugins.js';
import { sync } from './commands/sync.js';
import { train } from './commands/train.js';
import { verifyResume } from './commands/verify-resume.js';

const HELP: Record<string, string> = {
  '': `kiln — train image models with Kiln on TensorFlow.js

Usage: kiln <command> [options]

Commands:
  train     train a model (default: a small UNet on synthetic shapes)
  plugins   list loaded plugins, their versions, where they come from and what they provide
  doctor    check Node and the backends, and say which one 'backend: auto' picks and why
  backend   'backend install native [--gpu] [--from <wheel|archive|dir>]': native TensorFlow, offline too
  golden-step  one training step on two backends from the same weights; max |Δ| per variable
  config    'config schema': JSON Schema of the run config; 'config show': the resolved config
  models    list the models, or describe one: layers, output shapes, parameter counts
  data      'data inspect': counts per split and class, leakage check, sample grid
  sync      deliver what a run's remote loggers (wandb, mlflow) could not send during the run
  verify-resume  replay a run between its last two checkpoints and check the weights match

Options: --help (-h) on any command, --verbose (-v) for stack traces, --version.
Exit codes: 0 completed, 1 internal error, 2 bad input, 3 training failed, 4 early-stopped, 5 max time, 130 interrupted.`,
  train: `kiln train [--config run.yaml] [--resume <run dir | checkpoint>] [key.path=value ...] [--verbose]

Trains the model described by the config (YAML; see docs/config.md). Without --config, the
embedded default trains a small UNet on the synthetic shapes segmentation set.
Overrides set any config field: trainer.maxEpochs=3 model.baseFilters=16 data.batchSize=8.
Writes runs/<name>/ with config.yaml, history.jsonl and model/ (tfjs format).
Ctrl-C stops after the current batch and saves a checkpoint; a second Ctrl-C quits at once.
--resume continues a run from its latest complete checkpoint (or the one given): same run
directory, history appended; on the same backend it ends with the weights of an uninterrupted run.`,
  plugins: `kiln plugins [--config run.yaml] [key.path=value ...]

Lists every plugin (built-in and those named under 'plugins' in the config): name, version,
where it was loaded from, and the models, losses, metrics, backends… it registers.`,
  models: `kiln models list
kiln models describe <name> [option=value ...] [--input 224x224x3] [--classes 1000] [--task classification]

Lists registered models, or builds one with the given options on the cpu backend and prints its
layers, output shapes and parameter counts (trainable and non-trainable).`,
  data: `kiln data inspect [--config run.yaml] [key.path=value ...] [--out data-inspect]

Counts per split and class, image sizes, groups, bad samples and the leakage check (no group or
file in two splits), and writes a PNG grid of augmented training samples to --out.
Exit 0 when clean, 2 when something leaks across splits.`,
  backend: `kiln backend install native [--gpu] [--from <tensorflow wheel | libtensorflow archive | directory>]

Installs @tensorflow/tfjs-node (or -gpu). Without --from this is the normal npm install. With
--from (an air-gapped machine) it builds the binding from the TensorFlow libraries you bring, e.g.
a wheel from 'pip download --no-deps tensorflow-cpu -d DIR'. It checks the result in a fresh
process and, if anything fails, leaves nothing half-installed.`,
  'golden-step': `kiln golden-step [--config run.yaml] --backends native,wasm [key.path=value ...]

One training step of the configured model on two backends from the same weights and batch;
prints the largest |Δ| per variable (weights after the step and gradients), so you know what
switching backends changes before you do.`,
  config: `kiln config schema
kiln config show [--config run.yaml] [key.path=value ...]

'schema' prints the JSON Schema of the run config (for editor completion and validation);
'show' prints the config after overrides and defaults, as 'kiln train' would use it.`,
  sync: `kiln sync <run dir>

Delivers the events a run's remote loggers left in <run dir>/outbox/ (server down, process
killed), exactly once. Exit 0 when everything is delivered, 3 when some events remain.`,
  'verify-resume': `kiln verify-resume <run dir>

Replays the run from its second-newest checkpoint to the step of its newest and compares every
weight. Exit 0 when identical, 3 when they differ (largest |Δ| per variable printed).`,
  doctor: `kiln doctor [--config run.yaml]

Prints the Node version and every backend with its status (and the command that would make an
unavailable one work), then which one 'backend: auto' would choose and why.`,
};

/** Runs the CLI and resolves with the exit code. The one error boundary: KilnErrors print their code and message, no stack unless --verbose. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const { positionals, flags } = parseArgs(argv, ['help', 'verbose', 'version', 'gpu']);
  const [command = '', ...rest] = positionals;
  const verbose = flags.verbose === true;
  try {
    if (flags.version) {
      io.out('kiln 0.1.0');
      return ExitCode.OK;
    }
    if (flags.help || command === '' || command === 'help') {
      const topic = command === 'help' ? rest[0] ?? '' : command;
      io.out(HELP[topic] ?? HELP['']);
      return command === '' && !flags.help ? ExitCode.BAD_INPUT : ExitCode.OK;
    }
    const config = typeof flags.config === 'string' ? flags.config : undefined;
    switch (command) {
      case 'train':
        checkFlags(flags, ['config', 'resume', 'verbose'], 'train');
        return await train({ config, overrides: rest, resume: typeof flags.resume === 'string' ? flags.resume : undefined }, io);
      case 'plugins':
        checkFlags(flags, ['config', 'verbose'], 'plugins');
        return await listPlugins({ config, overrides: rest }, io);
      case 'doctor':
        checkFlags(flags, ['config', 'verbose'], 'doctor');
        return await doctor({ config, overrides: rest }, io);
      case 'data':
        checkFlags(flags, ['config', 'out', 'verbose'], 'data');
        if (rest[0] !== 'inspect') { io.err("kiln data: use 'kiln data inspect [--config run.yaml] [--out dir]'."); return ExitCode.BAD_INPUT; }
        return await dataInspect({ config, overrides: rest.slice(1), out: typeof flags.out === 'string' ? flags.out : undefined }, io);
      case 'models':
        checkFlags(flags, ['config', 'input', 'classes', 'task', 'verbose'], 'models');
        return await models({ sub: rest[0], rest: rest.slice(1), flags, config }, io);
      case 'backend':
        checkFlags(flags, ['gpu', 'from', 'verbose'], 'backend');
        if (rest[0] !== 'install') { io.err("kiln backend: use 'kiln backend install native [--gpu] [--from <path>]'."); return ExitCode.BAD_INPUT; }
        return await backendInstall({ what: rest[1], gpu: flags.gpu === true, from: typeof flags.from === 'string' ? flags.from : undefined }, io);
      case 'golden-step':
        checkFlags(flags, ['config', 'backends', 'verbose'], 'golden-step');
        return await goldenStepCommand({ config, overrides: rest, backends: typeof flags.backends === 'string' ? flags.backends : undefined }, io);
      case 'config':
        checkFlags(flags, ['config', 'verbose'], 'config');
        return await configCommand({ sub: rest[0], config, overrides: rest.slice(1) }, io);
      case 'sync':
        checkFlags(flags, ['verbose'], 'sync');
        return await sync({ run: rest[0] }, io);
      case 'verify-resume':
        checkFlags(flags, ['verbose'], 'verify-resume');
        return await verifyResume({ run: rest[0] }, io);
      default:
        io.err(`kiln: unknown command '${command}'. Commands: ${Object.keys(HELP).filter(Boolean).join(', ')}. See 'kiln --help'.`);
        return ExitCode.BAD_INPUT;
    }
  } catch (e) {
    if (isKilnError(e)) io.err(`error ${e.code}: ${e.message}`);
    else io.err(`internal error: ${(e as Error)?.message ?? String(e)}\nThis is a bug in Kiln or a plugin: rerun with --verbose and report it.`);
    if (verbose && e instanceof Error) io.err(e.stack ?? '');
    return exitCodeForError(e);
  }
}
