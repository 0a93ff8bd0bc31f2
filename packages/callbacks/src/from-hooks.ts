import { type Callback, HOOK_NAMES, KilnError } from '@kiln/core-trainer';
import { CallbackErrorCodes } from './errors.js';

const ALLOWED = new Set<string>([...HOOK_NAMES, 'onBeforeOptimizerStep', 'stateDict', 'loadStateDict']);

/**
 * Makes a callback from a plain object of hook functions. Unknown keys (a misspelt hook) throw
 * KILN_CALLBACK_OPTIONS_INVALID listing the hook names, rather than being silently ignored.
 * @example fromHooks({ onEpochEnd: (ctx) => console.log(ctx.state.epoch, ctx.logs.val_loss) }, { name: 'print-val' })
 */
export function fromHooks(hooks: Partial<Callback> & Record<string, unknown>, options: { name?: string; order?: number; stateKey?: string } = {}): Callback {
  for (const [k, v] of Object.entries(hooks)) {
    if (k === 'name' || k === 'order' || k === 'stateKey') continue;
    if (!ALLOWED.has(k) || typeof v !== 'function') {
      throw new KilnError(CallbackErrorCodes.OPTIONS_INVALID,
        `fromHooks: '${k}' is not a hook function. Hooks: ${[...ALLOWED].join(', ')}.`, { details: { key: k } });
    }
  }
  const name = options.name ?? (hooks.name as string | undefined) ?? 'hooks';
  const stateKey = options.stateKey ?? (hooks.stateKey as string | undefined);
  if ((hooks.stateDict || hooks.loadStateDict) && !stateKey) {
    throw new KilnError(CallbackErrorCodes.OPTIONS_INVALID, `fromHooks '${name}': a callback with stateDict/loadStateDict needs a stateKey.`);
  }
  return { ...hooks, name, order: options.order ?? (hooks.order as number | undefined), stateKey } as Callback;
}
