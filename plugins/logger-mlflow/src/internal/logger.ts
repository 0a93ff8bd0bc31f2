import { randomUUID } from 'node:crypto';
import type { LoggedImage, Logger, RunStatus } from '@kiln/core-trainer';
import { type Deliverer, type Outbox, flattenParams } from '@kiln/loggers';
import { mlflowKey, paramText } from './batch.js';
import { listFiles, remoteName, snapshot } from './files.js';
import { encodePng } from './png.js';
import type { ArtifactPayload, MetricsPayload } from './types.js';

export interface MlflowLoggerParts {
  readonly outbox: Outbox;
  readonly runDir: string;
  /** In a resumed run: steps up to this one were logged before and are skipped. */
  readonly resumeFloor: number | null;
  readonly deliverer: Deliverer;
  readonly close: () => Promise<void>;
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
  readonly #warned = new Set<string>();
  #finished = false;

  constructor(private readonly p: MlflowLoggerParts) {}

  logParams(params: Readonly<Record<string, unknown>>): void {
    this.#guard('logParams', () => {
      const fresh: Record<string, string> = {};
      const cut: string[] = [];
      for (const [k, v] of Object.entries(flattenParams(params))) {
        const key = mlflowKey(k);
        let text = this.#clean(paramText(v));
        if (text.length > this.p.maxParamLength) {
          text = text.slice(0, this.p.maxParamLength);
          cut.push(key);
        }
        const before = this.#params.get(key);
        if (before === text) continue;
        if (before !== undefined) {
          this.#once(`MLflow: param '${key}' was already logged as '${before.slice(0, 50)}'; MLflow params cannot change, the new value is not sent.`);
          continue;
        }
        this.#params.set(key, text);
        fresh[key] = text;
      }
      if (cut.length) this.#once(`MLflow: param value(s) cut to ${this.p.maxParamLength} characters: ${cut.join(', ')}.`);
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
      this.#artifact({ path: `text/${mlflowKey(tag)}.txt`, data: new Uint8Array(Buffer.from(this.#clean(text))) });
    });
  }

  /** Uploads a file or folder (config, report, a checkpoint) as artifacts named relative to the run dir; snapshotted now by hard link. */
  logArtifact(path: string): void {
    this.#guard('logArtifact', () => {
      const id = randomUUID().slice(0, 8);
      for (const f of listFiles(path, remoteName(path, this.p.runDir))) {
        const blob = `blobs/${id}/${f.name}`;
        snapshot(f.path, this.p.outbox.dir, blob);
        this.#artifact({ path: f.name, blob });
      }
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
      const { remaining } = await this.p.deliverer.drain(this.p.finishTimeoutMs);
      const why = this.p.deliverer.status().lastError;
      await this.p.deliverer.stop();
      await this.p.close();
      if (remaining > 0) this.p.say(`MLflow: ${remaining} event(s) not delivered${why ? ` (last error: ${why})` : ''}; they are kept in ${this.p.outbox.dir}. Upload them with \`kiln sync ${this.p.runDir}\`.`);
    } catch (e) {
      this.p.say(`MLflow: finish failed: ${this.#clean(String((e as Error)?.message ?? e))}`);
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
    if (this.p.outbox.append(kind, key, payload) < 0) this.#once(`MLflow outbox: ${this.p.outbox.status().lastError ?? 'append failed'}`);
  }

  #clean(s: string): string {
    return this.p.secrets.reduce((t, k) => t.split(k).join('***'), s);
  }

  #once(message: string): void {
    if (this.#warned.has(message)) return;
    this.#warned.add(message);
    this.p.say(message);
  }

  #guard(method: string, fn: () => void): void {
    if (this.#finished) return;
    try {
      fn();
    } catch (e) {
      this.#once(`MLflow: ${method} failed: ${this.#clean(String((e as Error)?.message ?? e))}`);
    }
  }
}
