import type { InjectionToken } from 'tsyringe';

/**
 * A typed DI token. Tokens are global symbols (`Symbol.for`) so two copies of a package still
 * agree on them; the type parameter ties `container.resolve(token)` to the bound value's type.
 * @example const Clock = token<() => number>('@my/plugin:Clock');
 */
export type Token<T> = InjectionToken<T> & symbol & { readonly __type?: T };

export function token<T>(description: string): Token<T> {
  return Symbol.for(description) as Token<T>;
}
