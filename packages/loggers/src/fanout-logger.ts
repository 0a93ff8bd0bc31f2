import type { LoggedImage, Logger, RunStatus } from '@kiln/core-trainer';
import { errorText } from './internal/format.js';

export interface FanoutLoggerOptions {
  /** Called once per failing logger, on its first failure (default: one line on stderr). */
  readonly onError?: (logger: string, method: string, error: unknown) => void;
}

/** What went wrong with one logger: how often, and the first error's text. */
export interface LoggerFailure {
  readonly logger: string;
  readonly count: number;
  readonly first: string;
}

/**
 * Sends every call to several loggers and isolates their failures: a logger that throws (or whose
 * promise rejects) never stops the others and never throws into training. Its first error is
 * reported once through `onError`; later ones are only counted (`failures()`). Returns a promise
 * only when some logger's call was asynchronous; it settles when all of them have.
 * @example const log = new FanoutLogger([new ConsoleLogger(), new JsonlLogger({ path })]); await log.logMetrics(1, { loss: 0.3 });
 */
export class FanoutLogger implements Logger {
  readonly name = 'fanout';
  readonly loggers: readonly Logger[];
  readonly #onError: (logger: string, method: string, error: unknown) => void;
  readonly #failures = new Map<number, { count: number; first: string }>();

  constructor(loggers: readonly Logger[], options: FanoutLoggerOptions = {}) {
    this.loggers = [...loggers];
    this.#onError = options.onError ?? ((logger, method, error) => {
      process.stderr.write(`[kiln] logger '${logger}' failed in ${method}: ${errorText(error)} (later errors from it are counted, not printed)\n`);
    });
  }

  logParams(params: Readonly<Record<string, unknown>>): void | Promise<void> {
    return this.#each('logParams', (l) => l.logParams(params));
  }

  logMetrics(step: number, values: Readonly<Record<string, number>>): void | Promise<void> {
    return this.#each('logMetrics', (l) => l.logMetrics(step, values));
  }

  logImage(step: number, tag: string, image: LoggedImage): void | Promise<void> {
    return this.#each('logImage', (l) => l.logImage?.(step, tag, image));
  }

  logHistogram(step: number, tag: string, values: Float32Array): void | Promise<void> {
    return this.#each('logHistogram', (l) => l.logHistogram?.(step, tag, values));
  }

  logText(step: number, tag: string, text: string): void | Promise<void> {
    return this.#each('logText', (l) => l.logText?.(step, tag, text));
  }

  logArtifact(path: string, kind?: string): void | Promise<void> {
    return this.#each('logArtifact', (l) => l.logArtifact?.(path, kind));
  }

  flush(): void | Promise<void> {
    return this.#each('flush', (l) => l.flush?.());
  }

  finish(status: RunStatus): void | Promise<void> {
    return this.#each('finish', (l) => l.finish(status));
  }

  /** The loggers that failed so far, with how often and their first error. */
  failures(): LoggerFailure[] {
    return [...this.#failures].map(([i, f]) => ({ logger: this.loggers[i]!.name, ...f }));
  }

  #each(method: string, call: (l: Logger) => unknown): void | Promise<void> {
    const pending: Promise<void>[] = [];
    this.loggers.forEach((logger, i) => {
      try {
        const r = call(logger);
        if (r && typeof (r as Promise<unknown>).then === 'function') {
          pending.push((r as Promise<unknown>).then(() => undefined, (e: unknown) => this.#fail(i, method, e)));
        }
      } catch (e) {
        this.#fail(i, method, e);
      }
    });
    if (pending.length > 0) return Promise.all(pending).then(() => undefined);
  }

  #fail(i: number, method: string, error: unknown): void {
    const seen = this.#failures.get(i);
    if (seen) {
      seen.count++;
      return;
    }
    this.#failures.set(i, { count: 1, first: errorText(error) });
    try {
      this.#onError(this.loggers[i]!.name, method, error);
    } catch {
      // A failing reporter must not break training either.
    }
  }
}
