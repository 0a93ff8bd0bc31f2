import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stepCompilerFor } from '@kiln/core-trainer';
import { nativeBackend } from '@kiln/plugin-backend-native';
import { main } from '../src/main.js';
import type { Io } from '../src/internal/output.js';

const EXAMPLE_PLUGIN = resolve(import.meta.dirname, '../../../docs/examples/my-plugin.mjs');

function capture(cwd = mkdtempSync(join(tmpdir(), 'kiln-cli-'))) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), env: {}, cwd };
  return { io, cwd, out: () => out.join('\n'), err: () => err.join('\n') };
}

// Small enough to run in seconds, big enough that the UNet visibly learns.
const QUICK = ['backend=wasm', 'trainer.maxEpochs=2', 'data.size=96', 'data.valSize=32', 'data.imageSize=32', 'data.batchSize=16'];

describe('kiln train', () => {
  it('trains the default UNet and leaves config.yaml, history.jsonl and the final model in runs/<name>/', async () => {
    const c = capture();
    const code = await main(['train', ...QUICK, 'name=quick'], c.io);
    expect(code, c.err()).toBe(0);
    const run = join(c.cwd, 'runs', 'quick');
    expect(readFileSync(join(run, 'config.yaml'), 'utf8')).toMatch(/maxEpochs: 2/);
    const history = readFileSync(join(run, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(history.filter((h) => 'val_dice' in (h.values ?? h))).toHaveLength(2);
    expect(JSON.parse(readFileSync(join(run, 'history.json'), 'utf8'))).toEqual(history);
    expect(JSON.parse(readFileSync(join(run, 'model', 'model.json'), 'utf8')).modelTopology).toBeTruthy();
    expect(c.out()).toMatch(/epoch 2\/2/);
    expect(c.out()).toMatch(/val_dice: \d\.\d+ → \d\.\d+/);
    // A second run with the same name never writes into the first one's directory.
    const again = capture(c.cwd);
    expect(await main(['train', ...QUICK, 'trainer.maxEpochs=1', 'name=quick'], again.io)).toBe(0);
    expect(existsSync(join(c.cwd, 'runs', 'quick-2', 'model', 'model.json'))).toBe(true);
  });

  it('trains a model registered by a plugin loaded from a path', async () => {
    const c = capture();
    writeFileSync(join(c.cwd, 'run.yaml'), [
      `plugins: ['${EXAMPLE_PLUGIN}']`, 'name: plugin-run', 'backend: wasm',
      'data: { name: shapes, task: segmentation, size: 64, valSize: 16, imageSize: 32, batchSize: 16 }',
      'model: { name: tiny-seg, filters: 4 }', 'loss: bce', 'metrics: [dice]', 'trainer: { maxEpochs: 1, numSanityValSteps: 0 }',
    ].join('\n'));
    const code = await main(['train', '--config', 'run.yaml'], c.io);
    expect(code, c.err()).toBe(0);
    expect(JSON.parse(readFileSync(join(c.cwd, 'runs', 'plugin-run', 'model', 'model.json'), 'utf8')).modelTopology.config.name).toBe('tiny_seg');
    const listing = capture(c.cwd);
    expect(await main(['plugins', '--config', 'run.yaml'], listing.io)).toBe(0);
    expect(listing.out()).toMatch(/example-tiny-seg\s+1\.0\.0\s+.*my-plugin\.mjs\s+model tiny-seg/);
  });
});

describe('kiln train --resume before the first checkpoint', () => {
  // A run killed before its first checkpoint was complete (SIGKILL during the first write leaves a
  // temp directory and a torn history line) starts again from step 0 in the same run directory,
  // as Lightning's ckpt_path="last" does, and ends exactly where an uninterrupted run ends.
  it('restarts from step 0 in the same directory and ends with the uninterrupted run\'s weights and history', async () => {
    const ref = capture();
    expect(await main(['train', ...QUICK, 'trainer.maxEpochs=1', 'trainer.logEveryNSteps=1', 'name=ref'], ref.io), ref.err()).toBe(0);
    const runs = join(ref.cwd, 'runs');
    const killed = join(runs, 'killed');
    mkdirSync(join(killed, 'checkpoints', '.epoch=1-step=1.tmp-4242-0a1b2c3d', 'model'), { recursive: true });
    writeFileSync(join(killed, 'checkpoints', '.epoch=1-step=1.tmp-4242-0a1b2c3d', 'model', 'weights.bin'), Buffer.alloc(10));
    writeFileSync(join(killed, 'config.yaml'), readFileSync(join(runs, 'ref', 'config.yaml'), 'utf8').replace('name: ref', 'name: killed'));
    const refHistory = readFileSync(join(runs, 'ref', 'history.jsonl'), 'utf8').split('\n').filter(Boolean);
    writeFileSync(join(killed, 'history.jsonl'), `${refHistory[0]}\n${refHistory[1].slice(0, 20)}`);

    const c = capture(ref.cwd);
    expect(await main(['train', '--resume', 'runs/killed'], c.io), c.err()).toBe(0);
    expect(c.err()).toMatch(/stopped before its first complete checkpoint, so it starts again from step 0/);
    expect(c.err()).toMatch(/is an unfinished checkpoint write/);
    expect(readFileSync(join(killed, 'model', 'weights.bin')).equals(readFileSync(join(runs, 'ref', 'model', 'weights.bin')))).toBe(true);
    const strip = (l: string) => { const { time: _t, epoch_time_s: _e, ...rest } = JSON.parse(l); return rest; };
    const history = readFileSync(join(killed, 'history.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(history.map(strip)).toEqual(refHistory.map(strip));
    expect(readdirSync(runs).sort()).toEqual(['killed', 'ref']);
  });

  it('a directory that is not a Kiln run and holds no checkpoint is still an error', async () => {
    const c = capture();
    mkdirSync(join(c.cwd, 'empty'));
    expect(await main(['train', '--resume', 'empty'], c.io)).toBe(2);
    expect(c.err()).toMatch(/KILN_RESUME_NO_CHECKPOINT/);
  });
});

const nativeProbe = await nativeBackend('cpu').probe();
describe.skipIf(!nativeProbe.ok)('kiln train on native (compiled steps)', () => {
  it('trains with compiled steps by default, and verify-resume accepts the run (exactly, or to float round-off)', async () => {
    const c = capture();
    const args = ['train', 'backend=native', 'trainer.maxEpochs=2', 'data.size=64', 'data.valSize=16', 'data.imageSize=32', 'data.batchSize=8',
      'callbacks=[{name: model-checkpoint, saveTopK: -1, everyNSteps: 3}]', 'name=nat'];
    expect(await main(args, c.io), c.err()).toBe(0);
    expect(c.out()).toMatch(/val_dice: \d\.\d+ → \d\.\d+ \(improved\)/);
    expect(stepCompilerFor('tensorflow')!.stats().compiledSteps).toBeGreaterThan(10);
    const v = capture(c.cwd);
    expect(await main(['verify-resume', 'runs/nat'], v.io), v.out() + v.err()).toBe(0);
    expect(v.out()).toMatch(/resume verified: the replay from \S+ reproduces \S+ (exactly|to float round-off)/);
  });
});

describe('kiln train: classification', () => {
  it("fills classCounts from the training split for classWeights: 'balanced'", async () => {
    const c = capture();
    const code = await main(['train', 'backend=wasm', 'name=cls', 'data.task=classification', 'data.size=48', 'data.valSize=12', 'data.imageSize=32',
      'model={name: cnn-baseline}', 'loss={name: cross-entropy, classWeights: balanced}', 'metrics=[accuracy]', 'trainer.maxEpochs=1', 'schedule=null'], c.io);
    expect(code, c.err()).toBe(0);
    expect(c.out()).toMatch(/val_accuracy: \d/);
  });
});

describe('bad input', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown top-level key', ['train', 'epochs=3'], /KILN_CONFIG_INVALID.*'epochs': unknown key\. Allowed: name, seed, plugins/s],
    ['wrong type', ['train', 'trainer.maxEpochs=many'], /KILN_CONFIG_INVALID.*'trainer\.maxEpochs'.*number/s],
    ['unknown backend', ['train', 'backend=tpu'], /KILN_BACKEND_UNKNOWN.*Unknown backend 'tpu'\. Available: auto, cpu, native, native-gpu, wasm/s],
    ['unknown model', ['train', 'model.name=resnet-9000'], /KILN_REGISTRY_UNKNOWN.*'model\.name': unknown model 'resnet-9000'\. Available: .*unet/s],
    ['unknown model option', ['train', 'model.depthh=3'], /KILN_CONFIG_INVALID.*'model\.depthh': unknown key/s],
    ['missing plugin file', ['train', 'plugins=[./nope.mjs]'], /KILN_PLUGIN_NOT_FOUND.*nope\.mjs/s],
    ['bad override', ['train', 'trainer..x=1'], /KILN_CONFIG_OVERRIDE/],
    ['missing config file', ['train', '--config', 'absent.yaml'], /KILN_CONFIG_NOT_FOUND.*absent\.yaml/],
    ['unknown flag', ['train', '--epochs', '3'], /KILN_CLI_USAGE.*--epochs/],
    ['bad option of the chosen backend', ['train', 'backend=wasm', 'backendOptions={wasm: {thread: 2}}'], /KILN_BACKEND_UNAVAILABLE.*'wasm'.*thread/s],
  ];
  it.each(cases)('%s: exit 2 with the code and the field, no stack trace', async (_name, argv, pattern) => {
    const c = capture();
    expect(await main(argv, c.io)).toBe(2);
    expect(c.err()).toMatch(pattern);
    expect(c.err()).not.toMatch(/\n\s+at /);
    expect(existsSync(join(c.cwd, 'runs'))).toBe(false);
  });

  it('a plugin file that exports no plugin is rejected by name; --verbose adds the stack', async () => {
    const c = capture();
    writeFileSync(join(c.cwd, 'empty.mjs'), 'export const x = 1;\n');
    expect(await main(['train', 'plugins=[./empty.mjs]', '--verbose'], c.io)).toBe(2);
    expect(c.err()).toMatch(/KILN_PLUGIN_INVALID.*empty\.mjs does not export a Kiln plugin/s);
    expect(c.err()).toMatch(/\n\s+at /);
  });
});

describe('kernel preflight', () => {
  const STUB = resolve(import.meta.dirname, 'fixtures/stub-backend.mjs');
  const tiny = ['data.size=16', 'data.valSize=4', 'data.imageSize=32', 'model.depth=2', 'model.baseFilters=4', 'trainer.maxEpochs=1'];

  it('a chosen backend that lacks kernels stops before training with the kernels and the backends that have them', async () => {
    const c = capture();
    expect(await main(['train', `plugins=[${STUB}]`, 'backend=stub', ...tiny], c.io)).toBe(3);
    expect(c.err()).toMatch(/KILN_BACKEND_MISSING_KERNEL.*1 kernel that backend 'stub' does not register:\n\s+Conv2DBackpropFilter: registered for [a-z, -]*cpu/s);
    expect(existsSync(join(c.cwd, 'runs'))).toBe(false);
  });

  it("options of one backend are given to that backend only (auto may pick another)", async () => {
    const c = capture();
    expect(await main(['train', 'backend=cpu', 'backendOptions={wasm: {thread: 2}}', 'name=opts', ...tiny], c.io), c.err()).toBe(0);
  });

  it('auto skips it, says why, and trains on the next backend', async () => {
    const c = capture();
    expect(await main(['train', `plugins=[${STUB}]`, 'backend=auto', 'name=auto', ...tiny], c.io), c.err()).toBe(0);
    expect(c.err()).toMatch(/backend: (wasm|native|cpu).*skipped stub: .*does not register/s);
  });
});

describe('kiln --help and doctor', () => {
  it('prints help per command', async () => {
    const c = capture();
    expect(await main(['train', '--help'], c.io)).toBe(0);
    expect(c.out()).toMatch(/kiln train \[--config run\.yaml\]/);
  });

  it('doctor lists backends and which one auto picks', async () => {
    const c = capture();
    expect(await main(['doctor'], c.io)).toBe(0);
    expect(c.out()).toMatch(/wasm\s+\d+\s+backend-wasm\s+available/);
    expect(c.out()).toMatch(/auto → backend: \w+/);
    expect(c.out()).toMatch(/The training step of model 'unet' uses \d+ kernels/);
  });
});
