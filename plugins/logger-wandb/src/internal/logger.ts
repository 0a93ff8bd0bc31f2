import { createHash, randomUUID } from 'node:crypto';
import type { LoggedImage, Logger, RunStatus } from '@kiln/core-trainer';
import { CallGuard, type Outbox, type RemoteDelivery, encodePng, finishDelivery, redactSecrets, snapshotRunFiles } from '@kiln/loggers';
import { type ConsolePayload, type FilePayload, type HistoryPayload, configYaml, histogram, safeName } from './payloads.js';
import type { WandbSender } from './sender.js';
import type { WandbRunState } from './state.js';

export interface WandbLoggerParts {
  readonly outbox: Outbox;
  readonly state: WandbRunState;
  readonly runDir: string;
  /** Next local history / console line, recovered from state.json and the pending records. */
  readonly nextLine: number;
  readonly nextConsole: number;
  /** In a resumed run: steps up to this one were logged before and are skipped. */
  readonly resumeFloor: number | null;
  readonly online?: RemoteDelivery & { sender: WandbSender; heartbeatMs: number };
  readonly finishTimeoutMs: number;
  /** Strings that must never be written (the API key). */
  readonly secrets: readonly string[];
  readonly say: (message: string) => void;
  /** WANDB_SILENT: no informational messages (warnings still print). */
  readonly silent?: boolean;
}

const EXIT_CODES: Record<RunStatus, number> = { finished: 0, failed: 1, killed: 255 };

/**
 * The 'wandb' logger: every call appends events to the run's W&B outbox (synchronously, never
 * throwing) and returns; a Deliverer sends them in the background. `finish` appends the final
 * `complete` event, waits up to `finishTimeoutMs` for delivery, and leaves the rest for `kiln sync`.
 */
export class WandbLogger implements Logger {
  readonly name = 'wandb';
  #line: number;
  #console: number;
  #config: Record<string, unknown> = {};
  #finished = false;
  #heartbeat: NodeJS.Timeout | undefined;
  readonly #start: number;
  readonly #calls: CallGuard;

  constructor(private readonly p: WandbLoggerParts) {
    this.#calls = new CallGuard('W&B', p.say, p.secrets);
    this.#line = p.nextLine;
    this.#console = p.nextConsole;
    this.#start = p.state.startTime;
    if (p.online && p.online.heartbeatMs > 0) {
      const { sender, heartbeatMs } = p.online;
      this.#heartbeat = setInterval(() => void sender.heartbeat(heartbeatMs), Math.max(100, heartbeatMs / 2));
      this.#heartbeat.unref();
    }
  }

  logParams(params: Readonly<Record<string, unknown>>): void {
    this.#guard('logParams', () => {
      Object.assign(this.#config, this.#calls.scrub(redactSecrets({ ...params })));
      this.#append('config', `config:${randomUUID()}`, { config: this.#config });
    });
  }

  logMetrics(step: number, values: Readonly<Record<string, number>>): void {
    this.#guard('logMetrics', () => this.#row(step, { ...values }));
  }

  logImage(step: number, tag: string, image: LoggedImage): void {
    this.#guard('logImage', () => {
      if (this.#skip(step)) return;
      const png = encodePng(image.width, image.height, image.channels, image.data);
      const sha256 = createHash('sha256').update(png).digest('hex');
      const path = `media/images/${safeName(tag)}_${step}_${sha256.slice(0, 20)}.png`;
      this.#append('file', `file:${path}`, { name: path, data: new Uint8Array(png) } satisfies FilePayload);
      this.#row(step, { [tag]: { _type: 'image-file', path, sha256, size: png.length, width: image.width, height: image.height, format: 'png' } });
    });
  }

  logHistogram(step: number, tag: string, values: Float32Array): void {
    this.#guard('logHistogram', () => {
      const h = histogram(values);
      if (h) this.#row(step, { [tag]: h });
    });
  }

  /** Text goes to the run's console log (`output.log`, one line per line, labelled by tag) and to the run file `<tag>.txt`. */
  logText(step: number, tag: string, text: string): void {
    this.#guard('logText', () => {
      if (this.#skip(step)) return;
      const clean = this.#calls.scrub(text);
      for (const line of clean.split(/\r?\n/)) {
        const payload: ConsolePayload = { line: this.#console, text: line, stderr: false, label: tag, time: Date.now() };
        this.#append('console', `console:${this.#console++}`, payload);
      }
      const name = `${safeName(tag)}.txt`;
      this.#append('file', `file:${name}:${randomUUID()}`, { name, data: new Uint8Array(Buffer.from(clean)) } satisfies FilePayload);
    });
  }

  /** Uploads a file or a folder (e.g. a checkpoint) as run files, named relative to the run dir; snapshotted now by hard link. */
  logArtifact(path: string): void {
    this.#guard('logArtifact', () => {
      for (const f of snapshotRunFiles(path, this.p.runDir, this.p.outbox.dir)) {
        this.#append('file', `file:${f.name}:${f.id}`, { name: f.name, blob: f.blob } satisfies FilePayload);
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
    clearInterval(this.#heartbeat);
    try {
      if (Object.keys(this.#config).length > 0) {
        this.#append('file', `file:config.yaml:${randomUUID()}`, { name: 'config.yaml', data: new Uint8Array(Buffer.from(configYaml(this.#config))) } satisfies FilePayload);
      }
      this.#append('finish', 'finish', { exitcode: EXIT_CODES[status] ?? 1 });
      await this.p.outbox.flush();
      const online = this.p.online;
      let remaining = this.p.outbox.status().pending;
      if (online) {
        ({ remaining } = await finishDelivery(online, { label: 'W&B', say: this.p.say, timeoutMs: this.p.finishTimeoutMs, outboxDir: this.p.outbox.dir, runDir: this.p.runDir }));
      } else if (remaining > 0 && !this.p.silent) {
        this.p.say(`W&B offline: ${remaining} event(s) kept in ${this.p.outbox.dir}. Upload them with \`kiln sync ${this.p.runDir}\`.`);
      }
      const lost = this.p.outbox.status().lastError;
      if (lost) this.p.say(`W&B outbox: ${lost}`);
    } catch (e) {
      this.p.say(`W&B: finish failed: ${this.#calls.scrub(String((e as Error)?.message ?? e))}`);
    } finally {
      await this.p.outbox.close().catch(() => undefined);
    }
  }

  #row(step: number, values: Record<string, unknown>): void {
    if (this.#skip(step)) return;
    const now = Date.now() / 1000;
    const payload: HistoryPayload = { line: this.#line, step, values: { ...values, global_step: step }, runtime: Math.max(0, now - this.#start), timestamp: now };
    this.#append('history', `history:${this.#line++}`, payload);
  }

  #skip(step: number): boolean {
    return this.#finished || (this.p.resumeFloor !== null && step <= this.p.resumeFloor);
  }

  #append(kind: string, key: string, payload: unknown): void {
    this.#calls.append(this.p.outbox, kind, key, payload);
  }

  /** Runs a logging call unless finished; it never throws into training (see CallGuard). */
  #guard(method: string, fn: () => void): void {
    if (!this.#finished) this.#calls.run(method, fn);
  }
}
