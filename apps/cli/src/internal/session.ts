import type { DependencyContainer } from 'tsyringe';
import { type BackendInfo, CoreTokens, type PluginHost, createRunContainer, registerCoreTrainer } from '@kiln/core-trainer';
import type { RunConfig } from '../config/schema.js';
import { type Assembled, type ResolvedRun, buildData, buildModule, preflightStep, resolveRun } from './assemble.js';
import { activateBackend } from './backend.js';
import type { Io } from './output.js';
import { loadPlugins } from './plugins.js';

/** Everything one run needs, built in order: container → plugins → validated entries → backend → data and model. */
export interface Session {
  readonly container: DependencyContainer;
  readonly host: PluginHost;
  readonly run: ResolvedRun;
  readonly backend: BackendInfo;
  readonly parts: Assembled;
}

/**
 * A run container with the core services and every plugin (built-in and the config's) set up,
 * passed to `use`; the container is disposed afterwards, whatever happens.
 */
export async function withPlugins<T>(config: Pick<RunConfig, 'seed' | 'plugins'>, baseDir: string,
  use: (host: PluginHost, container: DependencyContainer) => Promise<T>): Promise<T> {
  const container = createRunContainer();
  registerCoreTrainer(container, { seed: config.seed });
  try {
    const host = container.resolve(CoreTokens.PluginHost);
    await loadPlugins(host, config.plugins, baseDir);
    return await use(host, container);
  } finally {
    await container.dispose();
  }
}

/**
 * Builds a session and passes it to `use`. Every config entry is validated before the backend
 * starts or a tensor exists.
 */
export async function withSession<T>(config: RunConfig, baseDir: string, io: Io, use: (s: Session) => Promise<T>): Promise<T> {
  return withPlugins(config, baseDir, async (host, container) => {
    const run = resolveRun(host, config);
    const data = await buildData(config, run, baseDir);
    const backend = await activateBackend(host, config.backend, config.backendOptions, io,
      async (info) => { await preflightStep(config, run, data, info.tfBackend); });
    const parts = await buildModule(config, run, data);
    return use({ container, host, run, backend, parts });
  });
}
