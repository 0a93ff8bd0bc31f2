import { type BackendInfo, type PluginHost, describeChoice, selectBackend } from '@kiln/core-trainer';
import type { RunConfig } from '../config/schema.js';
import type { Io } from './output.js';

/**
 * Activates the configured backend (`auto`: the highest-priority one that loads and passes
 * `check`, the kernel preflight) and says which it chose and why the others were skipped.
 */
export async function activateBackend(host: PluginHost, name: RunConfig['backend'], options: RunConfig['backendOptions'], io: Io,
  check?: (info: BackendInfo) => Promise<void>): Promise<BackendInfo> {
  const providers = host.registries.backends.entries().map((e) => e.value);
  const choice = await selectBackend(providers, name, { options, check });
  io.err(describeChoice(choice));
  return choice.info;
}
