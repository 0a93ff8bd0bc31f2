// The Keras 3 side of the comparison: a throwaway venv (tools/bench/.venv-keras) with keras and
// tensorflow-cpu from the local wheel index (or PyPI), running keras/bench_keras.py.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const venv = process.env.KILN_KERAS_VENV ?? join(benchDir, '.venv-keras');
const python = join(venv, 'bin', 'python');
const TF = process.env.KILN_TF_VERSION ?? '2.21.0';

async function ensureVenv(log) {
  const check = () => exec(python, ['-c', 'import keras, tensorflow'], { env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
  if (existsSync(python)) {
    try {
      await check();
      return;
    } catch {
      // broken or half-made: (re)install below
    }
  }
  log(`making ${venv} (keras + tensorflow-cpu==${TF}) …`);
  await exec('python3', ['-m', 'venv', venv]);
  await exec(join(venv, 'bin', 'pip'), ['install', '-q', '--retries', '0', '--timeout', '15', 'keras', `tensorflow-cpu==${TF}`], { maxBuffer: 64 << 20, timeout: 900_000 });
  await check();
}

/**
 * Runs the Keras benchmark for `models`; resolves `{ ok: false, reason }` when no venv can be made.
 * @param {string[]} models @param {{ budget: number, repeats: number, log: (l: string) => void }} o
 */
export async function runKeras(models, o) {
  try {
    await ensureVenv(o.log);
  } catch (e) {
    return { ok: false, reason: `no Python venv with keras + tensorflow-cpu could be made (${`${e.stderr ?? e.message}`.trim().split('\n').at(-1)})` };
  }
  try {
    const { stdout } = await exec(python, [join(benchDir, 'keras', 'bench_keras.py'), '--models', models.join(','), '--budget', String(o.budget), '--repeats', String(o.repeats)],
      { maxBuffer: 64 << 20, timeout: 1_800_000, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', KERAS_BACKEND: 'tensorflow' } });
    const line = stdout.split('\n').find((l) => l.startsWith('@@KERAS '));
    return { ok: true, ...JSON.parse(line.slice(8)) };
  } catch (e) {
    return { ok: false, reason: `bench_keras.py failed: ${`${e.stderr ?? e.message}`.trim().split('\n').at(-1)}` };
  }
}
