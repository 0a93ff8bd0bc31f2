import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isKilnError } from '@kiln/core-trainer';
import { describe, expect, it } from 'vitest';
import { installNative } from './install-native.js';
import { makeZip } from './internal/test-utils/make-zip.js';
import { extractZipEntry, listZip } from './internal/zip.js';

const PKG_JSON = JSON.stringify({ name: 'kiln-install-test', version: '1.0.0', private: true });
const ELF = ['/lib/x86_64-linux-gnu/libm.so.6', '/usr/lib/x86_64-linux-gnu/libm.so.6', '/lib/aarch64-linux-gnu/libm.so.6', '/lib64/libm.so.6'].find(existsSync);
const WHEEL_DIR = resolve(import.meta.dirname, '../../../node_modules/.cache/kiln-tf-wheel');
const WHEEL = existsSync(WHEEL_DIR) ? readdirSync(WHEEL_DIR).find((f) => f.endsWith('.whl')) : undefined;

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-native-install-'));
  writeFileSync(join(dir, 'package.json'), PKG_JSON);
  return dir;
}

/** Nothing of tfjs-node (and no staging folder) is left, and package.json is untouched. */
function expectNothingInstalled(dir: string): void {
  expect(existsSync(join(dir, 'node_modules', '@tensorflow', 'tfjs-node'))).toBe(false);
  expect(existsSync(join(dir, 'node_modules', '.cache'))).toBe(false);
  expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(PKG_JSON);
}

async function expectCode(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(isKilnError(e, code as never), `expected ${code}, got ${String(e)}`).toBe(true);
  expect((e as Error).message).toMatch(message);
}

describe('installNative --from: bad input is rejected with a code and leaves nothing behind', () => {
  const dir = project();

  it('rejects a path that does not exist, a text file, and a zip without TensorFlow libraries', async () => {
    await expectCode(installNative({ cwd: dir, from: join(dir, 'nope.whl') }), 'KILN_NATIVE_FROM_INVALID', /does not exist/);
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    await expectCode(installNative({ cwd: dir, from: join(dir, 'notes.txt') }), 'KILN_NATIVE_FROM_INVALID', /neither a zip\/wheel, a \.tar\.gz nor a folder/);
    makeZip(join(dir, 'numpy.whl'), { 'numpy/__init__.py': '' });
    await expectCode(installNative({ cwd: dir, from: join(dir, 'numpy.whl') }), 'KILN_NATIVE_FROM_INVALID', /no tensorflow\/libtensorflow_cc\.so\.2/);
    expectNothingInstalled(dir);
  });

  it('rejects a wheel whose library is not an ELF file, a .tar.gz without libtensorflow, and an empty folder', async () => {
    makeZip(join(dir, 'fake.whl'), {
      'tensorflow/libtensorflow_cc.so.2': 'not a library', 'tensorflow/libtensorflow_framework.so.2': 'no',
      'tensorflow/include/tensorflow/c/c_api.h': '', 'tensorflow/include/tensorflow/c/eager/c_api.h': '',
    });
    await expectCode(installNative({ cwd: dir, from: join(dir, 'fake.whl') }), 'KILN_NATIVE_FROM_INVALID', /not an ELF shared library/);
    mkdirSync(join(dir, 'src', 'lib'), { recursive: true });
    writeFileSync(join(dir, 'src', 'README'), 'x');
    execFileSync('tar', ['-czf', join(dir, 'libtensorflow.tar.gz'), '-C', join(dir, 'src'), '.']);
    await expectCode(installNative({ cwd: dir, from: join(dir, 'libtensorflow.tar.gz') }), 'KILN_NATIVE_FROM_INVALID', /neither lib\/libtensorflow\.so\*/);
    mkdirSync(join(dir, 'empty'));
    await expectCode(installNative({ cwd: dir, from: join(dir, 'empty') }), 'KILN_NATIVE_FROM_INVALID', /neither lib\/libtensorflow/);
    expectNothingInstalled(dir);
  });

  it('rejects a folder that is not a project', async () => {
    await expectCode(installNative({ cwd: join(dir, 'empty'), from: join(dir, 'fake.whl') }), 'KILN_NATIVE_INSTALL_FAILED', /has no package\.json/);
  });
});

describe('installNative --from: a library that passes the checks but does not build or load is rolled back', () => {
  it.skipIf(!ELF)('fake headers: the binding fails to compile → KILN_NATIVE_INSTALL_FAILED, nothing installed', async () => {
    const dir = project();
    const lib = readFileSync(ELF!);
    makeZip(join(dir, 'fake.whl'), {
      'tensorflow/libtensorflow_cc.so.2': lib, 'tensorflow/libtensorflow_framework.so.2': lib,
      'tensorflow/include/tensorflow/c/c_api.h': '#error not TensorFlow\n', 'tensorflow/include/tensorflow/c/eager/c_api.h': '',
    });
    const lines: string[] = [];
    await expectCode(installNative({ cwd: dir, from: join(dir, 'fake.whl'), log: (l) => lines.push(l) }), 'KILN_NATIVE_INSTALL_FAILED', /Building the @tensorflow\/tfjs-node binding failed/);
    expect(lines.join('\n')).toMatch(/npm rebuild/);
    expectNothingInstalled(dir);
  });

  it.skipIf(!ELF || !WHEEL)('real headers, a library that is not TensorFlow: the binding builds but does not load → KILN_NATIVE_VERIFY_FAILED', async () => {
    const dir = project();
    const wheel = join(WHEEL_DIR, WHEEL!);
    const headers = (await listZip(wheel)).filter((e) => /^tensorflow\/include\/(tensorflow\/c\/|tensorflow\/core\/platform\/ctstring|tsl\/platform\/ctstring|xla\/tsl\/c\/)/.test(e.name) && !e.name.endsWith('/'));
    const files: Record<string, Buffer> = {};
    for (const h of headers) {
      await extractZipEntry(wheel, h, join(dir, 'h', h.name));
      files[h.name] = readFileSync(join(dir, 'h', h.name));
    }
    const lib = readFileSync(ELF!);
    makeZip(join(dir, 'fake.whl'), { ...files, 'tensorflow/libtensorflow_cc.so.2': lib, 'tensorflow/libtensorflow_framework.so.2': lib });
    await expectCode(installNative({ cwd: dir, from: join(dir, 'fake.whl') }), 'KILN_NATIVE_VERIFY_FAILED', /does not fit tfjs-node 4\.22\.0.*Nothing was installed/s);
    expectNothingInstalled(dir);
  });
});
