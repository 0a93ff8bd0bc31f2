import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginHost, isKilnError } from '@kiln/core-trainer';
import { container } from 'tsyringe';
import { describe, expect, it } from 'vitest';
import backendNativePlugin from './index.js';
import { nativeBackend } from './provider.js';

/** A project folder holding a fake @tensorflow/tfjs-node-gpu package (no GPU package is installed anywhere here). */
function fakeGpuPackage(binding?: string): string {
  const root = mkdtempSync(join(tmpdir(), 'kiln-native-probe-'));
  const pkg = join(root, 'node_modules', '@tensorflow', 'tfjs-node-gpu');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node-gpu', version: '4.22.0', main: 'dist/index.js' }));
  if (binding !== undefined) {
    mkdirSync(join(pkg, 'lib', 'napi-v8'), { recursive: true });
    writeFileSync(join(pkg, 'lib', 'napi-v8', 'tfjs_binding.node'), binding);
  }
  return root;
}

describe('native providers: probe and activate say what is missing and the exact fix', () => {
  it('registers native-gpu (40) and native (30) through the plugin host', async () => {
    const host = new PluginHost(container.createChildContainer()).use(backendNativePlugin, '@kiln/plugin-backend-native');
    await host.setup();
    const b = host.registries.backends;
    expect(b.names()).toEqual(['native', 'native-gpu']);
    expect([b.get('native-gpu').priority, b.get('native').priority]).toEqual([40, 30]);
    expect(b.entry('native').plugin).toBe('backend-native');
  });

  it('a missing package: probe gives the install command (online and offline), activate throws KILN_NATIVE_NOT_INSTALLED', async () => {
    const p = nativeBackend('gpu', { searchPaths: [mkdtempSync(join(tmpdir(), 'kiln-empty-'))] });
    const probe = await p.probe();
    expect(probe).toMatchObject({ ok: false, reason: '@tensorflow/tfjs-node-gpu is not installed' });
    expect(probe.ok ? '' : probe.fix).toMatch(/^npx kiln backend install native --gpu .*pip download --no-deps tensorflow==2\.21\.0.*--gpu --from /);
    await expect(p.activate()).rejects.toSatisfy((e) => isKilnError(e, 'KILN_NATIVE_NOT_INSTALLED') && /npx kiln backend install native --gpu/.test((e as Error).message));
  });

  it('a package without a built binding: KILN_NATIVE_BINDING_MISSING', async () => {
    const p = nativeBackend('gpu', { searchPaths: [fakeGpuPackage()] });
    const probe = await p.probe();
    expect(probe.ok).toBe(false);
    expect(probe.ok ? '' : probe.reason).toMatch(/native binding \(lib\/napi-v\*\/tfjs_binding\.node\) was never built/);
    await expect(p.activate()).rejects.toSatisfy((e) => isKilnError(e, 'KILN_NATIVE_BINDING_MISSING'));
  });

  it('a binding that does not load: the loader error is in the reason (KILN_NATIVE_BINDING_LOAD)', async () => {
    const p = nativeBackend('gpu', { searchPaths: [fakeGpuPackage('garbage, not a shared object')] });
    const probe = await p.probe();
    expect(probe.ok).toBe(false);
    expect(probe.ok ? '' : probe.reason).toMatch(/tfjs_binding\.node does not load: .*(invalid ELF header|too short)/);
    await expect(p.activate()).rejects.toSatisfy((e) => isKilnError(e, 'KILN_NATIVE_BINDING_LOAD'));
  });

  it('rejects unknown options with KILN_NATIVE_OPTIONS_INVALID', async () => {
    await expect(nativeBackend('cpu').activate({ threads: 2 })).rejects.toSatisfy((e) => isKilnError(e, 'KILN_NATIVE_OPTIONS_INVALID'));
  });
});
