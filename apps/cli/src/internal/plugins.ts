import { pathToFileURL } from 'node:url';
import { type KilnPlugin, KilnError, type PluginHost, coreTrainerPlugin } from '@kiln/core-trainer';
import { callbacksPlugin } from '@kiln/callbacks';
import { dataPlugin } from '@kiln/data';
import { loggersPlugin } from '@kiln/loggers';
import { lossesPlugin } from '@kiln/losses';
import { metricsPlugin } from '@kiln/metrics';
import { schedulersPlugin } from '@kiln/schedulers';
import { backendWasmPlugin } from '@kiln/plugin-backend-wasm';
import { modelUnetPlugin } from '@kiln/plugin-model-unet';
import { modelEfficientNetPlugin } from '@kiln/plugin-model-efficientnet';
import { modelCheXNetPlugin } from '@kiln/plugin-model-chexnet';
import { backendNativePlugin } from '@kiln/plugin-backend-native';
import { loggerTensorBoardPlugin } from '@kiln/plugin-logger-tensorboard';
import { wandbPlugin } from '@kiln/plugin-logger-wandb';
import { mlflowPlugin } from '@kiln/plugin-logger-mlflow';
import { resolvePluginRef } from '../config/load.js';

export const PluginLoadCodes = {
  NOT_FOUND: 'KILN_PLUGIN_NOT_FOUND', // a plugin named in 'plugins' cannot be found: check the path (relative to the config file) or install the package
  LOAD_FAILED: 'KILN_PLUGIN_LOAD_FAILED', // a plugin module was found but throws while loading: the message has its error
} as const;

/** First-party plugins the CLI always loads, with the package each comes from. */
export const BUILTIN_PLUGINS: readonly { plugin: KilnPlugin; source: string }[] = [
  { plugin: coreTrainerPlugin, source: '@kiln/core-trainer' },
  { plugin: dataPlugin, source: '@kiln/data' },
  { plugin: lossesPlugin, source: '@kiln/losses' },
  { plugin: metricsPlugin, source: '@kiln/metrics' },
  { plugin: schedulersPlugin, source: '@kiln/schedulers' },
  { plugin: callbacksPlugin, source: '@kiln/callbacks' },
  { plugin: loggersPlugin, source: '@kiln/loggers' },
  { plugin: backendWasmPlugin, source: '@kiln/plugin-backend-wasm' },
  { plugin: backendNativePlugin, source: '@kiln/plugin-backend-native' },
  { plugin: modelUnetPlugin, source: '@kiln/plugin-model-unet' },
  { plugin: modelEfficientNetPlugin, source: '@kiln/plugin-model-efficientnet' },
  { plugin: modelCheXNetPlugin, source: '@kiln/plugin-model-chexnet' },
  { plugin: loggerTensorBoardPlugin, source: '@kiln/plugin-logger-tensorboard' },
  { plugin: wandbPlugin, source: '@kiln/plugin-logger-wandb' },
  { plugin: mlflowPlugin, source: '@kiln/plugin-logger-mlflow' },
];

/** Loads the built-in plugins and the user's (`plugins:` in the config), then sets them all up. */
export async function loadPlugins(host: PluginHost, refs: readonly string[], baseDir: string): Promise<void> {
  for (const { plugin, source } of BUILTIN_PLUGINS) host.use(plugin, source);
  for (const ref of refs) host.use(await importPlugin(ref, baseDir), ref);
  await host.setup();
}

async function importPlugin(ref: string, baseDir: string): Promise<unknown> {
  const { specifier, isPath } = resolvePluginRef(ref, baseDir);
  let mod: { default?: unknown };
  try {
    mod = await import(isPath ? pathToFileURL(specifier).href : specifier);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && (isPath || String((e as Error).message).includes(`'${specifier}'`))) {
      throw new KilnError(PluginLoadCodes.NOT_FOUND, isPath
        ? `Plugin file '${ref}' does not exist (looked for ${specifier}). Paths in 'plugins' are relative to the config file.`
        : `Plugin package '${ref}' is not installed. Install it with: npm install ${ref}`, { cause: e, details: { plugin: ref } });
    }
    throw new KilnError(PluginLoadCodes.LOAD_FAILED, `Plugin '${ref}' failed to load: ${(e as Error).message}`, { cause: e, details: { plugin: ref } });
  }
  return mod.default;
}
