import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, open, readdir, rename, stat, symlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { KilnError } from '@kiln/core-trainer';
import { NativeErrorCodes } from '../errors.js';
import { NotAZipError, extractZipEntry, listZip } from './zip.js';

const exec = promisify(execFile);

/** How the TensorFlow libraries were found and unpacked. */
export interface StagedLibs {
  readonly kind: 'wheel' | 'libtensorflow-archive' | 'directory';
  /** What unpacked them: Kiln's node:zlib zip reader, the system `tar`, or a plain copy. */
  readonly extractor: 'node:zlib zip reader' | 'tar' | 'copy';
  /** The real C-API library file inside deps/lib. */
  readonly mainLib: string;
}

/** Headers tfjs-node's binding includes (paths under the wheel's `tensorflow/include/`). */
const WHEEL_HEADERS = [/^tensorflow\/c\//, /^tensorflow\/core\/platform\/ctstring/, /^tsl\/platform\/ctstring/, /^xla\/tsl\/c\//];

function invalid(from: string, why: string): KilnError {
  return new KilnError(NativeErrorCodes.NATIVE_FROM_INVALID,
    `--from ${from} is not a usable TensorFlow library: ${why}. Give a TensorFlow wheel (pip download --no-deps tensorflow-cpu==2.21.0 -d DIR), a libtensorflow .tar.gz, or a folder holding one unpacked. Nothing was installed.`,
    { details: { from, why } });
}

async function magic(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(4);
    await fh.read(b, 0, 4, 0);
    return b;
  } finally {
    await fh.close();
  }
}

/** Symlinks the names the build and loader look for: libtensorflow.so(.2.9.1) and libtensorflow_framework.so. */
async function linkNames(lib: string, mainLib: string, frameworkLib: string): Promise<void> {
  const want: [string, string][] = [['libtensorflow.so', mainLib], ['libtensorflow.so.2.9.1', mainLib], ['libtensorflow_framework.so', frameworkLib]];
  for (const [name, target] of want) if (name !== target && !existsSync(join(lib, name))) await symlink(target, join(lib, name));
}

async function fromWheel(from: string, deps: string): Promise<StagedLibs> {
  let entries;
  try {
    entries = await listZip(from);
  } catch (e) {
    throw invalid(from, e instanceof NotAZipError ? `it looks like a zip but ${e.message}` : (e as Error).message);
  }
  const byName = new Map(entries.map((e) => [e.name, e]));
  const libs = ['tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2'];
  const missing = [...libs, 'tensorflow/include/tensorflow/c/c_api.h'].filter((n) => !byName.has(n));
  if (missing.length) throw invalid(from, `the zip has no ${missing.join(', ')} (not a TensorFlow 2.x Linux wheel)`);
  const headers = entries.filter((e) => e.name.startsWith('tensorflow/include/') && !e.name.endsWith('/') &&
    WHEEL_HEADERS.some((re) => re.test(e.name.slice('tensorflow/include/'.length))));
  try {
    for (const h of headers) await extractZipEntry(from, h, join(deps, 'include', h.name.slice('tensorflow/include/'.length)));
    for (const l of libs) await extractZipEntry(from, byName.get(l)!, join(deps, 'lib', l.slice('tensorflow/'.length)));
  } catch (e) {
    throw invalid(from, (e as Error).message);
  }
  await linkNames(join(deps, 'lib'), 'libtensorflow_cc.so.2', 'libtensorflow_framework.so.2');
  return { kind: 'wheel', extractor: 'node:zlib zip reader', mainLib: join(deps, 'lib', 'libtensorflow_cc.so.2') };
}

/** A folder laid out like an unpacked wheel's `tensorflow/` (libtensorflow_cc.so.2 + include/). */
async function fromWheelFolder(from: string, dir: string, deps: string): Promise<StagedLibs> {
  await mkdir(join(deps, 'lib'), { recursive: true });
  for (const l of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']) {
    if (!existsSync(join(dir, l))) throw invalid(from, `${join(dir, l)} is missing`);
    await cp(join(dir, l), join(deps, 'lib', l), { dereference: true });
  }
  const inc = join(dir, 'include');
  if (!existsSync(inc)) throw invalid(from, `${inc} is missing`);
  const files = (await readdir(inc, { recursive: true })).filter((rel) => WHEEL_HEADERS.some((re) => re.test(rel)));
  for (const rel of files) if ((await stat(join(inc, rel))).isFile()) await cp(join(inc, rel), join(deps, 'include', rel));
  await linkNames(join(deps, 'lib'), 'libtensorflow_cc.so.2', 'libtensorflow_framework.so.2');
  return { kind: 'directory', extractor: 'copy', mainLib: join(deps, 'lib', 'libtensorflow_cc.so.2') };
}

/** A libtensorflow layout: lib/libtensorflow.so.2.x.y (+ symlinks) and include/tensorflow/c/. */
async function fromLibtensorflow(from: string, dir: string, deps: string, move: boolean): Promise<StagedLibs> {
  const names = await readdir(join(dir, 'lib'));
  const real = async (re: RegExp): Promise<string | undefined> => {
    for (const n of names.filter((x) => re.test(x)).sort((a, b) => b.length - a.length)) if ((await stat(join(dir, 'lib', n))).isFile()) return n;
    return undefined;
  };
  const main = await real(/^libtensorflow\.so(\.\d+)*$/);
  const framework = await real(/^libtensorflow_framework\.so(\.\d+)*$/);
  if (!main || !framework) throw invalid(from, `${join(dir, 'lib')} has no libtensorflow.so.2* and libtensorflow_framework.so.2*`);
  if (move) {
    await rename(join(dir, 'lib'), join(deps, 'lib'));
    await rename(join(dir, 'include'), join(deps, 'include'));
  } else {
    await cp(join(dir, 'lib'), join(deps, 'lib'), { recursive: true, verbatimSymlinks: true });
    await cp(join(dir, 'include'), join(deps, 'include'), { recursive: true });
  }
  await linkNames(join(deps, 'lib'), main, framework);
  return { kind: move ? 'libtensorflow-archive' : 'directory', extractor: move ? 'tar' : 'copy', mainLib: join(deps, 'lib', main) };
}

async function fromDirectory(from: string, dir: string, deps: string, move = false): Promise<StagedLibs> {
  if (existsSync(join(dir, 'lib')) && existsSync(join(dir, 'include', 'tensorflow', 'c', 'c_api.h'))) return fromLibtensorflow(from, dir, deps, move);
  if (existsSync(join(dir, 'libtensorflow_cc.so.2'))) return fromWheelFolder(from, dir, deps);
  if (existsSync(join(dir, 'tensorflow', 'libtensorflow_cc.so.2'))) return fromWheelFolder(from, join(dir, 'tensorflow'), deps);
  throw invalid(from, 'the folder holds neither lib/libtensorflow.so* with include/tensorflow/c/c_api.h (libtensorflow) nor libtensorflow_cc.so.2 with include/ (an unpacked wheel\'s tensorflow/ folder)');
}

/**
 * Finds the TensorFlow C library and headers in `from` (a wheel, a libtensorflow .tar.gz, or a
 * folder) and lays them out as tfjs-node expects: `deps/lib` (libraries + symlinks) and
 * `deps/include`. Throws KILN_NATIVE_FROM_INVALID for anything else. `scratch` is a temp folder.
 * @example await stageTensorflowLibs('tensorflow_cpu-2.21.0-….whl', 'stage/deps', 'stage/src')
 */
export async function stageTensorflowLibs(from: string, deps: string, scratch: string): Promise<StagedLibs> {
  const st = await stat(from).catch(() => undefined);
  if (!st) throw invalid(from, 'the path does not exist');
  let staged: StagedLibs;
  if (st.isDirectory()) {
    staged = await fromDirectory(from, from, deps);
  } else {
    const m = await magic(from);
    if (m[0] === 0x50 && m[1] === 0x4b) {
      staged = await fromWheel(from, deps);
    } else if (m[0] === 0x1f && m[1] === 0x8b) {
      await mkdir(scratch, { recursive: true });
      try {
        await exec('tar', ['-xzf', from, '-C', scratch], { maxBuffer: 16 << 20 });
      } catch (e) {
        throw invalid(from, `tar could not unpack it (${(e as { stderr?: string }).stderr?.trim() || (e as Error).message})`);
      }
      staged = await fromDirectory(from, scratch, deps, true);
    } else {
      throw invalid(from, 'it is neither a zip/wheel, a .tar.gz nor a folder');
    }
  }
  const head = await magic(staged.mainLib);
  if (head.toString('latin1') !== '\x7fELF') throw invalid(from, `${relative(deps, staged.mainLib)} is not an ELF shared library`);
  if (!existsSync(join(deps, 'include', 'tensorflow', 'c', 'eager', 'c_api.h'))) throw invalid(from, 'the headers include/tensorflow/c/eager/c_api.h are missing');
  return staged;
}
