import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { KilnError, type KilnErrorCode } from '@kiln/core-trainer';
import { NativeErrorCodes } from './errors.js';
import { type ChildReport, verifyPackage } from './internal/child.js';
import { TFJS_NODE_VERSION, findBinding, installCommand, packageName } from './internal/locate.js';
import { runNpm } from './internal/npm.js';
import { type StagedLibs, stageTensorflowLibs } from './internal/tf-libs.js';

export interface InstallNativeOptions {
  /** Install @tensorflow/tfjs-node-gpu instead of @tensorflow/tfjs-node. */
  readonly gpu?: boolean;
  /** A TensorFlow wheel, a libtensorflow .tar.gz or a folder: build the binding from it, offline. */
  readonly from?: string;
  /** The project whose node_modules receives the package (default: the current directory). */
  readonly cwd?: string;
  /** Progress lines. */
  readonly log?: (line: string) => void;
  /** Record the package in package.json (default: true online, false with `from`, whose install script would fail offline). */
  readonly save?: boolean;
}

export interface InstallNativeResult {
  readonly package: string;
  readonly packageDir: string;
  readonly bindingPath: string;
  readonly tfVersion: string;
  /** The device a fresh process got: `CPU` or the GPU name. */
  readonly device: string;
  /** `npm` (online install) or what `from` was. */
  readonly source: 'npm' | StagedLibs['kind'];
  readonly extractor?: StagedLibs['extractor'];
  readonly seconds: number;
}

const fail = (code: KilnErrorCode, message: string, details: Record<string, unknown> = {}): KilnError =>
  new KilnError(code, message, { details });

async function npmOrThrow(args: string[], cwd: string, what: string): Promise<void> {
  const r = await runNpm(args, cwd);
  if (r.code !== 0) throw fail(NativeErrorCodes.NATIVE_INSTALL_FAILED, `${what} failed (npm ${args.join(' ')} in ${cwd}, exit ${r.code}):\n${r.tail}`, { args, cwd });
}

async function verifyOrThrow(dir: string, from: string | undefined): Promise<ChildReport> {
  const v = await verifyPackage(dir);
  if (!v.ok) {
    throw fail(NativeErrorCodes.NATIVE_VERIFY_FAILED,
      `The built binding does not work: ${v.error}. ${from ? `The TensorFlow library in ${from} does not fit tfjs-node ${TFJS_NODE_VERSION} (use a TensorFlow 2.x wheel for this OS and CPU). ` : ''}Nothing was installed.`, { error: v.error });
  }
  return v.report;
}

/** Snapshot of the project's package.json and lock, restored if the install fails. */
async function snapshot(cwd: string): Promise<() => Promise<void>> {
  const files = ['package.json', 'package-lock.json'].map((f) => join(cwd, f)).filter((f) => existsSync(f));
  const saved = await Promise.all(files.map(async (f) => [f, await readFile(f)] as const));
  return async () => {
    for (const [f, data] of saved) await writeFile(f, data);
  };
}

/** Builds the binding from TensorFlow libraries inside `stage`; returns the staged, verified package folder. */
async function buildStaged(pkg: string, from: string, stage: string, log: (l: string) => void): Promise<{ built: string; libs: StagedLibs }> {
  log(`Reading the TensorFlow C library and headers from ${from} …`);
  const libs = await stageTensorflowLibs(resolve(from), join(stage, 'deps'), join(stage, 'unpacked'));
  log(`  found a ${libs.kind} (unpacked with ${libs.extractor})`);
  const project = join(stage, 'build');
  await mkdir(project, { recursive: true });
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'kiln-native-build', private: true }));
  log(`npm install --ignore-scripts ${pkg}@${TFJS_NODE_VERSION} (staged) …`);
  await npmOrThrow(['install', '--ignore-scripts', '--no-audit', '--no-fund', `${pkg}@${TFJS_NODE_VERSION}`], project, `Installing ${pkg}`);
  const built = join(project, 'node_modules', pkg);
  await rename(join(stage, 'deps'), join(built, 'deps'));
  await writeFile(join(built, 'scripts', 'custom-binary.json'), JSON.stringify({ 'tf-lib': 'file:///unused' }));
  log(`npm rebuild ${pkg} (compiles the binding against these libraries) …`);
  await npmOrThrow(['rebuild', pkg], project, `Building the ${pkg} binding`);
  if (!findBinding(built)) throw fail(NativeErrorCodes.NATIVE_INSTALL_FAILED, `npm rebuild ${pkg} finished without producing lib/napi-v*/tfjs_binding.node.`);
  log('Verifying the staged binding in a child process …');
  await verifyOrThrow(built, from);
  return { built, libs };
}

/**
 * Installs the native backend into `cwd`'s node_modules. Without `from` it is the normal
 * `npm install @tensorflow/tfjs-node(-gpu)@4.22.0` (which downloads libtensorflow). With `from`
 * (a TensorFlow wheel, a libtensorflow archive or a folder) it builds the binding from those
 * libraries in a staging folder, verifies it in a child process, and only then moves it into place;
 * on any failure nothing half-installed remains and package.json / the lock are restored.
 * @example await installNative({ from: 'tfwheel/tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl', log: console.log })
 */
export async function installNative(options: InstallNativeOptions = {}): Promise<InstallNativeResult> {
  const t0 = performance.now();
  const flavour = options.gpu ? 'gpu' : 'cpu';
  const pkg = packageName(flavour);
  const spec = `${pkg}@${TFJS_NODE_VERSION}`;
  const cwd = resolve(options.cwd ?? process.cwd());
  const log = options.log ?? (() => {});
  const from = options.from;
  const save = options.save ?? !from;
  if (!existsSync(join(cwd, 'package.json'))) {
    throw fail(NativeErrorCodes.NATIVE_INSTALL_FAILED, `${cwd} has no package.json: run \`${installCommand(flavour, from)}\` in your project's folder.`);
  }
  if (from && (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch))) {
    throw fail(NativeErrorCodes.NATIVE_UNSUPPORTED_PLATFORM, `Building tfjs-node from TensorFlow libraries (--from) is supported on Linux x64/arm64; this is ${process.platform}-${process.arch}. Use \`${installCommand(flavour)}\` with internet, or the wasm backend.`);
  }
  const target = join(cwd, 'node_modules', pkg);
  const cache = join(cwd, 'node_modules', '.cache');
  const created = await mkdir(cache, { recursive: true }); // the first folder it had to create, if any
  const stage = await mkdtemp(join(cache, 'kiln-native-'));
  const restoreFiles = await snapshot(cwd);
  const previous = join(stage, 'previous');
  let placed = false;
  try {
    const staged = from ? await buildStaged(pkg, from, stage, log) : undefined;
    if (existsSync(target)) await rename(target, previous);
    placed = true;
    log(`npm install ${staged ? '--ignore-scripts ' : ''}${save ? '' : '--no-save '}${spec} in ${cwd} …`);
    await npmOrThrow(['install', ...(staged ? ['--ignore-scripts'] : []), '--no-audit', '--no-fund', save ? '--save' : '--no-save', spec], cwd, `Installing ${pkg}`);
    if (staged) {
      for (const d of ['deps', 'lib']) {
        await rm(join(target, d), { recursive: true, force: true });
        await rename(join(staged.built, d), join(target, d));
      }
      await writeFile(join(target, 'scripts', 'custom-binary.json'), JSON.stringify({ 'tf-lib': 'file:///unused' }));
    }
    log('Verifying the installed binding in a child process …');
    const report = await verifyOrThrow(target, from);
    const device = report.gpu ? report.gpuName ?? 'GPU:0' : flavour === 'gpu' ? 'CPU (no CUDA GPU found; TensorFlow fell back to CPU)' : 'CPU';
    const seconds = Math.round((performance.now() - t0) / 100) / 10;
    log(`Installed ${spec} on TensorFlow ${report.tfVersion}, device ${device} (${seconds} s).`);
    return { package: pkg, packageDir: target, bindingPath: findBinding(target)!, tfVersion: report.tfVersion, device, source: staged?.libs.kind ?? 'npm', extractor: staged?.libs.extractor, seconds };
  } catch (e) {
    if (placed) {
      await rm(target, { recursive: true, force: true });
      if (existsSync(previous)) await rename(previous, target);
      await restoreFiles();
    }
    if (!from && e instanceof KilnError && e.code === NativeErrorCodes.NATIVE_INSTALL_FAILED) {
      throw fail(e.code, `${e.message}\nWithout internet, install from a TensorFlow wheel instead: ${installCommand(flavour, '<tensorflow wheel | libtensorflow archive | folder>')}`);
    }
    throw e;
  } finally {
    await rm(stage, { recursive: true, force: true });
    // Leave no empty node_modules/.cache (or node_modules) behind that this call created.
    if (created) for (const d of [cache, join(cwd, 'node_modules')]) if (d.length >= created.length) await rmdir(d).catch(() => {});
  }
}
