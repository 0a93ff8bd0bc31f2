import { randomUUID } from 'node:crypto';
import type { LoggedImage, Logger, RunStatus } from '@kiln/core-trainer';
import { CallGuard, type Outbox, type RemoteDelivery, encodePng, finishDelivery, flattenParams, snapshotRunFiles } from '@kiln/loggers';
import { mlflowKey, paramText } from './batch.js';
import type { ArtifactPayload, MetricsPayload } from './types.js';

export interface MlflowLoggerParts {
  readonly outbox: Outbox;
  readonly runDir: string;
  /** In a resumed run: steps up to this one were logged before and are skipped. */
  readonly resumeFloor: number | null;
  readonly delivery: RemoteDelivery;
  readonly finishTimeoutMs: number;
  readonly maxParamLength: number;
  readonly secrets: readonly string[];
  readonly say: (message: string) => void;
}

const STATUS: Record<RunStatus, string> = { finished: 'FINISHED', failed: 'FAILED', killed: 'KILLED' };

/**
 * The 'mlflow' logger: every call appends an event to the run's MLflow outbox (synchronously,
 * never throwing) and returns; a Deliverer sends them in the background. Params are immutable in
 * MLflow: a param logged again with another value is reported and not sent. Histograms have no
 * MLflow form and are ignored; images and text become artifacts.
 */
export class MlflowLogger implements Logger {
  readonly name = 'mlflow';
  readonly #params = new Map<string, string>();
  readonly #calls: CallGuard;
  #finished = false;

  constructor(private readonly p: MlflowLoggerParts) {
    this.#calls = new CallGuard('MLflow', p.say, p.secrets);
  }

  logParams(params: Readonly<Record<string, unknown>>): void {
    this.#guard('logParams', () => {
      const fresh: Record<string, string> = {};
      const cut: string[] = [];
      for (const [k, v] of Object.entries(flattenParams(params))) {
        const key = mlflowKey(k);
        let text = this.#calls.scrub(paramText(v));
        if (text.length > this.p.maxParamLength) {
          text = text.slice(0, this.p.maxParamLength);
          cut.push(key);
        }
        const before = this.#params.get(key);
        if (before === text) continue;
        if (before !== undefined) {
          this.#calls.once(`MLflow: param '${key}' was already logged as '${before.slice(0, 50)}'; MLflow params cannot change, the new value is not sent.`);
          continue;
        }
        this.#params.set(key, text);
        fresh[key] = text;
      }
      if (cut.length) this.#calls.once(`MLflow: param value(s) cut to ${this.p.maxParamLength} characters: ${cut.join(', ')}.`);
      if (Object.keys(fresh).length) this.#append('params', `params:${randomUUID()}`, { values: fresh });
    });
  }

  logMetrics(step: number, values: Readonly<Record<string, number>>): void {
    this.#guard('logMetrics', () => {
      if (this.#skip(step)) return;
      const clean: Record<string, number> = {};
      for (const [k, v] of Object.entries(values)) if (typeof v === 'number') clean[mlflowKey(k)] = v;
      const payload: MetricsPayload = { step: Math.trunc(step), timestamp: Date.now(), values: clean };
      this.#append('metrics', `metrics:${Math.trunc(step)}:${randomUUID()}`, payload);
    });
  }

  /** Saved as the artifact `images/<tag>_step_<step>.png` (as mlflow.log_image names them). */
  logImage(step: number, tag: string, image: LoggedImage): void {
    this.#guard('logImage', () => {
      if (this.#skip(step)) return;
      const png = encodePng(image.width, image.height, image.channels, image.data);
      this.#artifact({ path: `images/${mlflowKey(tag).replace(/\//g, '_')}_step_${step}.png`, data: new Uint8Array(png) });
    });
  }

  logHistogram(): void {
    // MLflow has no histogram type; weights and gradients go to TensorBoard or W&B.
  }

  /** Saved as the artifact `text/<tag>.txt` (the latest text per tag). */
  logText(step: number, tag: string, text: string): void {
    this.#guard('logText', () => {
      if (this.#skip(step)) return;
      this.#artifact({ path: `text/${mlflowKey(tag)}.txt`, data: new Uint8Array(Buffer.from(this.#calls.scrub(text))) });
    });
  }

  /** Uploads a file or folder (config, report, a checkpoint) as artifacts named relative to the run dir; snapshotted now by hard link. */
  logArtifact(path: string): void {
    this.#guard('logArtifact', () => {
      for (const f of snapshotRunFiles(path, this.p.runDir, this.p.outbox.dir)) this.#artifact({ path: f.name, blob: f.blob });
    });
  }

  /** fsyncs the outbox: everything logged so far survives a crash or power loss. */
  async flush(): Promise<void> {
    if (!this.#finished) await this.p.outbox.flush();
  }

  async finish(status: RunStatus): Promise<void> {
    if (this.#finished) return;
    this.#finished = true;
    try {
      this.#append('finish', 'finish', { status: STATUS[status] ?? 'FAILED', endTime: Date.now() });
      await this.p.outbox.flush();
      await finishDelivery(this.p.delivery, { label: 'MLflow', say: this.p.say, timeoutMs: this.p.finishTimeoutMs, outboxDir: this.p.outbox.dir, runDir: this.p.runDir });
    } catch (e) {
      this.p.say(`MLflow: finish failed: ${this.#calls.scrub(String((e as Error)?.message ?? e))}`);
    } finally {
      await this.p.outbox.close().catch(() => undefined);
    }
  }

  #artifact(a: ArtifactPayload): void {
    this.#append('artifact', `artifact:${a.path}:${randomUUID()}`, a);
  }

  #skip(step: number): boolean {
    return this.p.resumeFloor !== null && step <= this.p.resumeFloor;
  }

  #append(kind: string, key: string, payload: unknown): void {
    this.#calls.append(this.p.outbox, kind, key, payload);
  }

  /** Runs a logging call unless finished; it never throws into training (see CallGuard). */
  #guard(method: string, fn: () => void): void {
    if (!this.#finished) this.#calls.run(method, fn);
  }
}
