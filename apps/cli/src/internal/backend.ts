import { type BackendInfo, type PluginHost, KilnError } from '@kiln/core-trainer';
import { CliErrorCodes } from '../errors.js';
import type { RunConfig } from '../config/schema.js';
import type { Io } from './output.js';

/** Activates the configured backend (`auto`: the best one that loads) and says which and why. */
export async function activateBackend(host: PluginHost, name: RunConfig['backend'], options: Record<string, unknown>, io: Io): Promise<BackendInfo> {
  const providers = host.registries.backends.entries().map((e) => e.value).sort((a, b) => b.priority - a.priority);
  const candidates = name === 'auto' ? providers : providers.filter((p) => p.name === name);
  if (!candidates.length) {
    throw new KilnError(CliErrorCodes.BACKEND_UNKNOWN, `'backend': '${name}' is not provided by any loaded plugin. Available: auto, ${providers.map((p) => p.name).join(', ')}.`);
  }
  const skipped: string[] = [];
  for (const p of candidates) {
    const probe = await p.probe();
    if (!probe.ok) {
      if (name !== 'auto') throw new KilnError('KILN_BACKEND_UNAVAILABLE', `Backend '${p.name}' cannot run here: ${probe.reason}${probe.fix ? `\nFix: ${probe.fix}` : ''}`);
      skipped.push(`${p.name} (${probe.reason})`);
      continue;
    }
    const info = await p.activate(options);
    io.err(`backend: ${info.name} on ${info.device}${skipped.length ? ` — skipped ${skipped.join('; ')}` : ''}`);
    return info;
  }
  throw new KilnError('KILN_BACKEND_UNAVAILABLE', `No backend can run here: ${skipped.join('; ')}.`);
}
