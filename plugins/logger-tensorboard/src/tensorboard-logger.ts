import { KilnError, type LoggedImage, type Logger, type RunStatus } from '@kiln/core-trainer';
import { encodePng, flattenParams } from '@kiln/loggers';
import { TensorBoardErrorCodes } from './errors.js';
import { EventFileWriter } from './event-writer.js';
import {
  type HParamValue, histogramValue, imageValue, scalarValue, sessionEndInfoValue, sessionStartEvent,
  sessionStartInfoValue, summaryEvent, textValue,
} from './internal/events.js';
import { buildHistogram } from './internal/histogram.js';

export interface TensorBoardLoggerOptions {
  /** Folder of the event file, e.g. `runs/<name>/tensorboard`. */
  readonly dir: string;
  /** Write hparams (params at logParams, run status at finish) for the HParams dashboard (default true). */
  readonly hparams?: boolean;
  /**
   * A resumed run: before its first metrics, a SessionLog START at that step tells TensorBoard to
   * drop what the interrupted run logged from that step on (default false). A fresh run writes its
   * START at step 0 instead: TensorBoard's plugin loader treats the first START of a run as the
   * session's beginning and only later ones as restarts.
   */
  readonly resumed?: boolean;
  /** Clock, ms since the epoch. */
  readonly now?: () => number;
}

/**
 * Writes TensorBoard event files with Kiln's own encoder: scalars (`logMetrics`), PNG images,
 * histograms with TensorBoard's default buckets, markdown text, the config as text and hparams.
 * Params whose keys look like secrets are written as '***'. The HParams dashboard shows the last
 * value of every scalar as the run's final metrics.
 * @example const tb = new TensorBoardLogger({ dir: 'runs/a/tensorboard' }); tb.logMetrics(1, { loss: 0.5 }); await tb.finish('finished');
 */
export class TensorBoardLogger implements Logger {
  readonly name = 'tensorboard';
  readonly #writer: EventFileWriter;
  readonly #now: () => number;
  readonly #hparams: boolean;
  #awaitingResume: boolean;
  #startWritten = false;
  #finished = false;

  constructor(options: TensorBoardLoggerOptions) {
    this.#now = options.now ?? Date.now;
    this.#hparams = options.hparams ?? true;
    this.#awaitingResume = options.resumed ?? false;
    try {
      this.#writer = new EventFileWriter(options.dir, this.#now);
      if (!this.#awaitingResume) this.#writer.write(sessionStartEvent(this.#now() / 1000, 0));
    } catch (e) {
      throw new KilnError(TensorBoardErrorCodes.WRITE, `Cannot create a TensorBoard event file in ${options.dir}: ${(e as Error).message}. Check permissions and free space.`, { cause: e });
    }
  }

  /** The event file being written. */
  get path(): string {
    return this.#writer.path;
  }

  logParams(params: Readonly<Record<string, unknown>>): void {
    const flat = flattenParams(params);
    const lines = Object.entries(flat).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
    this.#write(0, [{ tag: 'config', build: textValue(`\`\`\`\n${lines.join('\n')}\n\`\`\``) }]);
    if (this.#hparams) this.#sessionStart(flat);
  }

  logMetrics(step: number, values: Readonly<Record<string, number>>): void {
    if (this.#awaitingResume) {
      this.#awaitingResume = false;
      this.#writer.write(sessionStartEvent(this.#now() / 1000, step));
    }
    const entries = Object.entries(values);
    if (entries.length > 0) this.#write(step, entries.map(([tag, x]) => ({ tag, build: scalarValue(x) })));
  }

  logImage(step: number, tag: string, image: LoggedImage): void {
    const { height, width, channels, data } = image;
    let png: Uint8Array;
    try {
      png = encodePng(width, height, channels, data);
    } catch (e) {
      throw new KilnError(TensorBoardErrorCodes.IMAGE, `logImage '${tag}' at step ${step}: ${(e as Error).message}. Pass HWC uint8 pixels with 1, 3 or 4 channels.`, { cause: e });
    }
    this.#write(step, [{ tag, build: imageValue(height, width, channels, png) }]);
  }

  logHistogram(step: number, tag: string, values: Float32Array): void {
    this.#write(step, [{ tag, build: histogramValue(buildHistogram(values)) }]);
  }

  logText(step: number, tag: string, text: string): void {
    this.#write(step, [{ tag, build: textValue(text) }]);
  }

  async finish(status: RunStatus): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#hparams) {
      if (!this.#startWritten) this.#sessionStart({});
      this.#write(0, [{ tag: '_hparams_/session_end_info', build: sessionEndInfoValue(status === 'finished' ? 1 : 2, this.#now() / 1000) }]);
    }
    await this.#writer.close();
  }

  #sessionStart(flat: Record<string, unknown>): void {
    const hparams: Record<string, HParamValue> = {};
    for (const [k, v] of Object.entries(flat)) {
      hparams[k] = typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' ? v : JSON.stringify(v) ?? 'null';
    }
    this.#write(0, [{ tag: '_hparams_/session_start_info', build: sessionStartInfoValue(hparams, this.#now() / 1000) }]);
    this.#startWritten = true;
  }

  #write(step: number, values: Parameters<typeof summaryEvent>[2]): void {
    try {
      this.#writer.write(summaryEvent(this.#now() / 1000, step, values));
    } catch (e) {
      throw new KilnError(TensorBoardErrorCodes.WRITE, `Cannot write to TensorBoard event file ${this.#writer.path}: ${(e as Error).message}.`, { cause: e });
    }
  }
}
