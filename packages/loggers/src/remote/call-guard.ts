import type { Outbox } from '../outbox/outbox.js';
import { scrubSecrets } from './scrub.js';

/**
 * Keeps a logger's calls from ever throwing into training: `run` catches what a call throws and
 * reports it once per distinct message (`<label>: <method> failed: <message>`), with every secret
 * scrubbed; `append` writes to an outbox and reports a failed write once. Messages go to `say`.
 * @example
 * const guard = new CallGuard('MLflow', (m) => process.stderr.write(`${m}\n`), [token]);
 * guard.run('logImage', () => outbox.append('artifact', key, { path, data: encodePng(w, h, c, px) }));
 */
export class CallGuard {
  readonly #warned = new Set<string>();

  /**
   * @param label how messages start, e.g. 'W&B'
   * @param say where messages go
   * @param secrets strings never written in a message (API key, token, password)
   */
  constructor(readonly label: string, private readonly say: (message: string) => void, private readonly secrets: readonly string[] = []) {}

  /** `value` with every secret replaced by `***` (see `scrubSecrets`). */
  scrub<T>(value: T): T {
    return scrubSecrets(value, this.secrets);
  }

  /** Says `message`, unless the same text was said before. */
  once(message: string): void {
    if (this.#warned.has(message)) return;
    this.#warned.add(message);
    this.say(message);
  }

  /** Runs `fn`; whatever it throws is reported once as `<label>: <method> failed: <message>`, never rethrown. */
  run(method: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.once(`${this.label}: ${method} failed: ${this.scrub(String((e as Error)?.message ?? e))}`);
    }
  }

  /** `outbox.append`, reporting a failed write once as `<label> outbox: <error>`. */
  append(outbox: Outbox, kind: string, key: string, payload: unknown): void {
    if (outbox.append(kind, key, payload) < 0) this.once(`${this.label} outbox: ${outbox.status().lastError ?? 'append failed'}`);
  }
}
