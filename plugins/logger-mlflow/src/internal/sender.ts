import { createReadStream, existsSync, rmSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { type OutboxRecord, RemoteError, type SendResult, sendInOrder } from '@kiln/loggers';
import { LOG_BATCH_LIMITS, chunk, metricValue } from './batch.js';
import { type KeyValue, type Metric, type MlflowClient, MlflowError } from './client.js';
import type { MlflowSettings } from './settings.js';
import { type MlflowRunState, writeState } from './state.js';
import type { ArtifactPayload, MetricsPayload } from './types.js';

const MIME: Record<string, string> = {
  '.json': 'application/json', '.html': 'text/html', '.txt': 'text/plain', '.md': 'text/markdown', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.yaml': 'application/x-yaml', '.yml': 'application/x-yaml', '.csv': 'text/csv', '.jsonl': 'application/x-ndjson',
};
// log-batch refusals that concern only the data sent: skipped with a warning so later events still flow
const DATA_ERRORS = new Set(['INVALID_PARAMETER_VALUE', 'BAD_REQUEST']);
const encodePath = (p: string): string => p.split('/').filter(Boolean).map(encodeURIComponent).join('/');

/**
 * Turns outbox records into MLflow calls, in order: the run is found by its `kiln.runKey` tag or
 * created (so a lost answer never makes two runs), metrics/params/tags go in `log-batch` chunks
 * within the limits, artifacts through the `mlflow-artifacts` proxy, the status last. Progress is
 * saved and acknowledged chunk by chunk.
 */
export class MlflowSender {
  constructor(
    private readonly client: MlflowClient,
    private readonly state: MlflowRunState,
    private readonly settings: Pick<MlflowSettings, 'experimentId' | 'runId'>,
    private readonly outboxDir: string,
    private readonly ack: (seqs: number[]) => void,
    private readonly warn: (message: string) => void,
  ) {}

  /** Delivers `records` (oldest first); never rejects. */
  send(records: readonly OutboxRecord[], signal?: AbortSignal): Promise<SendResult> {
    return sendInOrder(records, signal, this.client, (i) => this.#step(records, i));
  }

  async #step(records: readonly OutboxRecord[], i: number): Promise<number> {
    const r = records[i]!;
    let j = i;
    while (j < records.length && records[j]!.kind === r.kind) j++;
    const group = records.slice(i, r.kind === 'metrics' || r.kind === 'params' || r.kind === 'tags' ? j : i + 1);
    const runId = await this.#ensureRun();
    switch (r.kind) {
      case 'run':
        if ((r.payload as { resumed?: boolean }).resumed) await this.client.updateRun(runId, 'RUNNING');
        break;
      case 'metrics':
        await this.#metrics(runId, group);
        break;
      case 'params':
      case 'tags': {
        const merged = new Map<string, string>();
        for (const g of group) for (const [k, v] of Object.entries((g.payload as { values: Record<string, string> }).values)) merged.set(k, v);
        for (const part of chunk([...merged].map(([key, value]) => ({ key, value })), LOG_BATCH_LIMITS[r.kind], LOG_BATCH_LIMITS.bytes)) {
          await this.#tolerant(`${r.kind} ${part.map((p) => p.key).join(', ').slice(0, 200)}`, () => this.client.logBatch(runId, { [r.kind]: part as KeyValue[] }));
        }
        break;
      }
      case 'artifact':
        await this.#artifact(r.payload as ArtifactPayload);
        break;
      case 'finish': {
        const p = r.payload as { status: string; endTime: number };
        await this.client.updateRun(runId, p.status, p.endTime);
        break;
      }
      default:
        this.warn(`MLflow: skipping an outbox record of unknown kind '${r.kind}'.`);
    }
    await this.#done(group);
    return i + group.length;
  }

  async #done(group: readonly OutboxRecord[]): Promise<void> {
    if (group.length === 0) return;
    await writeState(this.outboxDir, this.state);
    this.ack(group.map((g) => g.seq));
  }

  /** Metrics of consecutive records in chunks of ≤ 1000 (and ≤ 1 MB); records fully sent are acknowledged after each chunk. */
  async #metrics(runId: string, group: readonly OutboxRecord[]): Promise<void> {
    const entries: { metric: Metric; record: number }[] = [];
    group.forEach((g, record) => {
      const p = g.payload as MetricsPayload;
      for (const [key, v] of Object.entries(p.values)) entries.push({ metric: { key, value: metricValue(v), timestamp: p.timestamp, step: p.step }, record });
    });
    let acked = 0;
    let sent = 0;
    for (const part of chunk(entries.map((e) => e.metric), LOG_BATCH_LIMITS.metrics, LOG_BATCH_LIMITS.bytes)) {
      await this.#tolerant(`metrics of step ${part[0]!.step}`, () => this.client.logBatch(runId, { metrics: part }));
      sent += part.length;
      const complete = sent === entries.length ? group.length : entries[sent]!.record;
      const steps = group.slice(acked, complete).map((g) => (g.payload as MetricsPayload).step);
      if (steps.length) this.state.delivered.lastStep = Math.max(this.state.delivered.lastStep ?? -Infinity, ...steps);
      await this.#done(group.slice(acked, complete));
      acked = Math.max(acked, complete);
    }
  }

  async #artifact(a: ArtifactPayload): Promise<void> {
    const blob = a.blob ? join(this.outboxDir, a.blob) : undefined;
    if (!a.data && !(blob && existsSync(blob))) return; // uploaded before a crash, or gone
    const url = this.#artifactUrl(a.path);
    if (!url) {
      this.warn(`MLflow: artifact '${a.path}' skipped: the run's artifact store (${this.state.artifactUri?.split(':')[0]}:) is not proxied by the tracking server; start it with --serve-artifacts.`);
      return;
    }
    const headers = { 'content-type': MIME[extname(a.path).toLowerCase()] ?? 'application/octet-stream' };
    await this.#tolerant(`artifact '${a.path}'`, () => (a.data
      ? this.client.upload(url, a.data, { ...headers, 'content-length': String(a.data.byteLength) })
      : this.client.upload(url, createReadStream(blob!), { ...headers, 'content-length': String(statSync(blob!).size) })));
    if (blob) rmSync(blob, { force: true });
  }

  #artifactUrl(path: string): string | undefined {
    const s = this.state;
    const uri = s.artifactUri ?? `mlflow-artifacts:/${s.experimentId}/${s.runId}/artifacts`;
    if (uri.startsWith('mlflow-artifacts:')) {
      const rest = uri.slice('mlflow-artifacts:'.length).replace(/^\/\/[^/]*/, '');
      return `${this.client.base}/api/2.0/mlflow-artifacts/artifacts/${encodePath(rest)}/${encodePath(path)}`;
    }
    if (/^https?:\/\//.test(uri)) return `${uri.replace(/\/+$/, '')}/${encodePath(path)}`;
    return undefined;
  }

  /** Runs `call`; a refusal of the data itself is reported and skipped, anything else propagates. */
  async #tolerant(what: string, call: () => Promise<void>): Promise<void> {
    try {
      await call();
    } catch (e) {
      const artifact = what.startsWith('artifact');
      if (!(e instanceof RemoteError) || e.kind !== 'reject' || (!artifact && !(e instanceof MlflowError && DATA_ERRORS.has(e.errorCode ?? '')))) throw e;
      this.warn(`MLflow refused ${what}; skipped: ${e.message}`);
    }
  }

  /** The run id: from state, MLFLOW_RUN_ID, a run tagged with our run key, or a new run. */
  async #ensureRun(): Promise<string> {
    const s = this.state;
    if (s.runId) return s.runId;
    let info;
    if (this.settings.runId) info = await this.client.getRun(this.settings.runId);
    else {
      const experimentId = await this.#experiment();
      info = (await this.client.runsWithTag(experimentId, 'kiln.runKey', s.runKey))[0]
        ?? await this.client.createRun({ experiment_id: experimentId, run_name: s.runName, start_time: s.startTime, tags: s.tags });
    }
    s.runId = info.run_id;
    s.experimentId = info.experiment_id;
    s.artifactUri = info.artifact_uri ?? null;
    await writeState(this.outboxDir, s);
    return s.runId;
  }

  /** Get-or-create by name, race-safe: a create refused with RESOURCE_ALREADY_EXISTS re-reads the winner's experiment. */
  async #experiment(): Promise<string> {
    const s = this.state;
    if (s.experimentId) return s.experimentId;
    if (this.settings.experimentId) return (s.experimentId = this.settings.experimentId);
    let exp = await this.client.experimentByName(s.experimentName);
    if (!exp) {
      const id = await this.client.createExperiment(s.experimentName);
      exp = id ? { experiment_id: id, name: s.experimentName } : await this.client.experimentByName(s.experimentName);
    }
    if (!exp) throw new MlflowError(`MLflow experiment '${s.experimentName}' could not be created or found.`, 'retry', undefined);
    if (exp.lifecycle_stage && exp.lifecycle_stage !== 'active') {
      throw new MlflowError(`MLflow experiment '${s.experimentName}' is deleted: restore it in MLflow or set another experimentName (MLFLOW_EXPERIMENT_NAME).`, 'reject', undefined);
    }
    s.experimentId = exp.experiment_id;
    return s.experimentId;
  }
}
