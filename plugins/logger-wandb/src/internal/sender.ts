import { createReadStream, existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type OutboxRecord, RemoteError, type SendResult, sendInOrder } from '@kiln/loggers';
import type { WandbClient } from './client.js';
import { type ConsolePayload, type FilePayload, type HistoryPayload, consoleLine, historyLine, summaryLine, configJson } from './payloads.js';
import { type WandbRunState, writeState } from './state.js';

/** Fields of the run, sent with the first UpsertBucket (the `run` record). */
export interface RunPayload {
  displayName?: string;
  notes?: string;
  group?: string;
  tags?: string[];
  jobType?: string;
  host?: string;
  program?: string;
}

const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

/**
 * Turns outbox records into W&B calls, in order. Progress is saved in state.json and acknowledged
 * record by record, so a failure part-way re-sends only the rest; re-sent history and console
 * lines carry the same offsets, so the server stores each exactly once.
 */
export class WandbSender {
  lastSentAt = 0;
  #stopWarned = false;

  constructor(
    private readonly client: WandbClient,
    private readonly state: WandbRunState,
    private readonly outboxDir: string,
    private readonly ack: (seqs: number[]) => void,
    private readonly warn: (message: string) => void,
  ) {}

  /** Delivers `records` (oldest first); never rejects. */
  send(records: readonly OutboxRecord[], signal?: AbortSignal): Promise<SendResult> {
    return sendInOrder(records, signal, this.client, (i) => this.#step(records, i));
  }

  /** A file_stream request with no data, when nothing was sent for `idleMs`; errors are ignored. */
  async heartbeat(idleMs: number): Promise<void> {
    if (!this.state.entity || Date.now() - this.lastSentAt < idleMs) return;
    await this.#stream({}).catch(() => undefined);
  }

  async #step(records: readonly OutboxRecord[], i: number): Promise<number> {
    const r = records[i]!;
    const run = (n: number): OutboxRecord[] => {
      let j = i;
      while (j < records.length && records[j]!.kind === r.kind && j - i < n) j++;
      return records.slice(i, j);
    };
    switch (r.kind) {
      case 'run':
        await this.#upsert(r.payload as RunPayload);
        return this.#done([r], i);
      case 'config': {
        const group = run(Infinity);
        await this.#ensureRun();
        await this.#upsert({}, (group.at(-1)!.payload as { config: Record<string, unknown> }).config);
        return this.#done(group, i);
      }
      case 'history':
      case 'console':
        return this.#done(await this.#lines(records, i), i);
      case 'file': {
        const group = run(50);
        await this.#files(group.map((g) => g.payload as FilePayload));
        return this.#done(group, i);
      }
      case 'finish':
        await this.#ensureRun();
        await this.#stream({ uploaded: this.state.uploaded, complete: true, exitcode: (r.payload as { exitcode: number }).exitcode });
        return this.#done([r], i);
      default:
        this.warn(`W&B: skipping an outbox record of unknown kind '${r.kind}'.`);
        return this.#done([r], i);
    }
  }

  async #done(group: readonly OutboxRecord[], i: number): Promise<number> {
    await writeState(this.outboxDir, this.state);
    this.ack(group.map((g) => g.seq));
    return i + group.length;
  }

  async #ensureRun(): Promise<void> {
    if (!this.state.entity) await this.#upsert({});
  }

  async #upsert(run: RunPayload, config?: Record<string, unknown>): Promise<void> {
    const s = this.state;
    if (!s.entity) s.entity = (await this.client.viewer()).entity;
    const bucket = await this.client.upsertBucket({
      name: s.runId, project: s.project, entity: s.entity, displayName: run.displayName ?? null, notes: run.notes ?? null,
      groupName: run.group ?? null, jobType: run.jobType ?? null, tags: run.tags ?? null, host: run.host ?? null,
      program: run.program ?? null, config: config ? configJson(config) : null,
    });
    s.entity = bucket.entity || s.entity;
    if (s.lineBase === null) s.lineBase = bucket.historyLineCount;
  }

  /** One file_stream request for the consecutive history and console lines from `i`. */
  async #lines(records: readonly OutboxRecord[], i: number): Promise<OutboxRecord[]> {
    await this.#ensureRun();
    const s = this.state;
    const base = s.lineBase ?? 0;
    const hist: string[] = [];
    const cons: string[] = [];
    let histFirst = -1;
    let consFirst = -1;
    let bytes = 0;
    const taken: OutboxRecord[] = [];
    const summary = { ...s.summary };
    for (let j = i; j < records.length && (records[j]!.kind === 'history' || records[j]!.kind === 'console'); j++) {
      const r = records[j]!;
      if (r.kind === 'history') {
        const p = r.payload as HistoryPayload;
        if (histFirst >= 0 && p.line !== histFirst + hist.length) break;
        const line = historyLine(p, base + p.line);
        if (bytes > 0 && bytes + line.length > MAX_REQUEST_BYTES) break;
        if (histFirst < 0) histFirst = p.line;
        hist.push(line);
        bytes += line.length;
        Object.assign(summary, p.values, { _step: base + p.line, _runtime: p.runtime, _timestamp: p.timestamp });
      } else {
        const p = r.payload as ConsolePayload;
        if (consFirst >= 0 && p.line !== consFirst + cons.length) break;
        const line = consoleLine(p);
        if (bytes > 0 && bytes + line.length > MAX_REQUEST_BYTES) break;
        if (consFirst < 0) consFirst = p.line;
        cons.push(line);
        bytes += line.length;
      }
      taken.push(r);
    }
    const files: Record<string, { offset: number; content: string[] }> = {};
    if (hist.length) {
      files['wandb-history.jsonl'] = { offset: base + histFirst, content: hist };
      files['wandb-summary.json'] = { offset: 0, content: [summaryLine(summary)] };
    }
    if (cons.length) files['output.log'] = { offset: consFirst, content: cons };
    await this.#stream({ files });
    s.summary = summary;
    const d = s.delivered;
    for (const r of taken) {
      const p = r.payload as HistoryPayload | ConsolePayload;
      if (r.kind === 'history') {
        d.historyLines = Math.max(d.historyLines, p.line + 1);
        d.lastStep = Math.max(d.lastStep ?? -Infinity, (p as HistoryPayload).step);
      } else d.consoleLines = Math.max(d.consoleLines, p.line + 1);
    }
    return taken;
  }

  /** CreateRunFiles for the group's names, then one PUT per file; unreadable or rejected files are skipped with a warning. */
  async #files(group: FilePayload[]): Promise<void> {
    await this.#ensureRun();
    const s = this.state;
    const latest = new Map(group.map((f) => [f.name, f]));
    const ready = [...latest.values()].filter((f) => f.data || (f.blob && existsSync(join(this.outboxDir, f.blob))));
    if (ready.length === 0) return;
    let created;
    try {
      created = await this.client.createRunFiles(s.entity!, s.project, s.runId, ready.map((f) => f.name));
    } catch (e) {
      if (!(e instanceof RemoteError) || e.kind !== 'reject') throw e;
      this.warn(`W&B: run files ${ready.map((f) => f.name).join(', ').slice(0, 200)} were refused and are skipped: ${e.message}`);
      return;
    }
    const { headers, urls } = created;
    for (const f of ready) {
      const url = urls.get(f.name);
      if (!url) {
        this.warn(`W&B: no upload URL for run file '${f.name}'; skipped.`);
        continue;
      }
      try {
        if (f.data) await this.client.upload(url, f.data, headers);
        else {
          const path = join(this.outboxDir, f.blob!);
          await this.client.upload(url, createReadStream(path), { ...headers, 'content-length': String(statSync(path).size) });
        }
      } catch (e) {
        if (!(e instanceof RemoteError) || e.kind !== 'reject') throw e;
        this.warn(`W&B: run file '${f.name}' was refused and is skipped: ${e.message}`);
      }
      if (!s.uploaded.includes(f.name)) s.uploaded.push(f.name);
    }
    for (const f of group) if (f.blob) rmSync(join(this.outboxDir, f.blob), { force: true });
  }

  async #stream(body: Record<string, unknown>): Promise<void> {
    const s = this.state;
    const res = await this.client.fileStream(s.entity!, s.project, s.runId, JSON.stringify(body));
    this.lastSentAt = Date.now();
    if (res.stopped && !this.#stopWarned) {
      this.#stopWarned = true;
      this.warn('W&B: the run was stopped from the W&B UI; Kiln keeps training (stop it with Ctrl-C if you meant to).');
    }
  }
}
