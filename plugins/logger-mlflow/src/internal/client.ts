import type { Readable } from 'node:stream';
import { type FailureKind, HttpClient, RemoteError, parseRetryAfter, safeUrl } from '@kiln/loggers';

export type MlflowAuth = { kind: 'basic'; username: string; password: string } | { kind: 'bearer'; token: string } | undefined;

export interface MlflowEndpoint {
  readonly trackingUri: string;
  readonly auth: MlflowAuth;
  readonly timeoutMs: number;
  readonly tls?: { insecure?: boolean; ca?: Buffer };
}

export interface RunInfo {
  run_id: string;
  experiment_id: string;
  artifact_uri?: string;
  status?: string;
  lifecycle_stage?: string;
}

export interface Experiment {
  experiment_id: string;
  name: string;
  lifecycle_stage?: string;
}

export interface Metric { key: string; value: number | string; timestamp: number; step: number }
export interface KeyValue { key: string; value: string }

/** A failed MLflow call, with the server's `error_code` when it sent one. */
export class MlflowError extends RemoteError {
  constructor(message: string, kind: FailureKind, readonly errorCode: string | undefined, status?: number, retryAfterMs?: number) {
    super(message, kind, status, retryAfterMs);
  }
}

// Decided by error_code first (mlflow exceptions.py), by HTTP status when there is none.
const RETRY_CODES = new Set(['REQUEST_LIMIT_EXCEEDED', 'RESOURCE_EXHAUSTED', 'TEMPORARILY_UNAVAILABLE', 'DEADLINE_EXCEEDED', 'INTERNAL_ERROR', 'ABORTED']);
const AUTH_CODES = new Set(['UNAUTHENTICATED', 'PERMISSION_DENIED', 'CUSTOMER_UNAUTHORIZED']);
const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** The MLflow tracking REST API (`/api/2.0/mlflow/...`) and the `mlflow-artifacts` proxy. */
export class MlflowClient {
  readonly #http: HttpClient;
  readonly #auth: Record<string, string>;
  readonly base: string;

  constructor(readonly endpoint: MlflowEndpoint) {
    const a = endpoint.auth;
    const secrets = a?.kind === 'basic' ? [a.password, `${a.username}:${a.password}`] : a?.kind === 'bearer' ? [a.token] : [];
    this.#http = new HttpClient({ timeoutMs: endpoint.timeoutMs, secrets, ...(endpoint.tls ? { tls: endpoint.tls } : {}) });
    this.#auth = a?.kind === 'basic' ? { authorization: `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}` }
      : a?.kind === 'bearer' ? { authorization: `Bearer ${a.token}` } : {};
    this.base = endpoint.trackingUri.replace(/\/+$/, '');
  }

  set signal(signal: AbortSignal | undefined) {
    this.#http.signal = signal;
  }

  /** Calls `/api/2.0/mlflow/<path>`: GET with the request as query parameters, POST with a JSON body. */
  async call<T>(method: 'GET' | 'POST', path: string, request: Record<string, unknown> = {}): Promise<T> {
    let url = `${this.base}/api/2.0/mlflow/${path}`;
    let body: string | undefined;
    if (method === 'GET') url += `?${new URLSearchParams(Object.entries(request).map(([k, v]): [string, string] => [k, String(v)]))}`;
    else body = JSON.stringify(request);
    const res = await this.#http.send(method, url, { ...this.#auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body);
    this.#check(res.status, res.body, res.headers['retry-after'], `${method} ${safeUrl(url)}`);
    try {
      return JSON.parse(res.body || '{}') as T;
    } catch {
      throw new MlflowError(`MLflow ${path} answered with a body that is not JSON.`, 'retry', undefined, res.status);
    }
  }

  /** The experiment named `name`, or undefined when there is none. */
  async experimentByName(name: string): Promise<Experiment | undefined> {
    try {
      return (await this.call<{ experiment: Experiment }>('GET', 'experiments/get-by-name', { experiment_name: name })).experiment;
    } catch (e) {
      if (e instanceof MlflowError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw e;
    }
  }

  /** Creates an experiment; resolves undefined when one of that name already exists (a race with another client). */
  async createExperiment(name: string): Promise<string | undefined> {
    try {
      return (await this.call<{ experiment_id: string }>('POST', 'experiments/create', { name })).experiment_id;
    } catch (e) {
      if (e instanceof MlflowError && (e.errorCode === 'RESOURCE_ALREADY_EXISTS' || e.errorCode === 'ALREADY_EXISTS')) return undefined;
      throw e;
    }
  }

  async createRun(req: { experiment_id: string; run_name: string; start_time: number; tags: KeyValue[] }): Promise<RunInfo> {
    return (await this.call<{ run: { info: RunInfo } }>('POST', 'runs/create', req)).run.info;
  }

  /** Active runs of an experiment whose tag `key` equals `value`. */
  async runsWithTag(experimentId: string, key: string, value: string): Promise<RunInfo[]> {
    const filter = `tags.\`${key}\` = '${value.replace(/'/g, "\\'")}'`;
    const res = await this.call<{ runs?: { info: RunInfo }[] }>('POST', 'runs/search', { experiment_ids: [experimentId], filter, max_results: 10 });
    return (res.runs ?? []).map((r) => r.info);
  }

  async getRun(runId: string): Promise<RunInfo> {
    return (await this.call<{ run: { info: RunInfo } }>('GET', 'runs/get', { run_id: runId })).run.info;
  }

  async updateRun(runId: string, status: string, endTime?: number): Promise<void> {
    await this.call('POST', 'runs/update', { run_id: runId, status, ...(endTime !== undefined ? { end_time: endTime } : {}) });
  }

  async logBatch(runId: string, batch: { metrics?: Metric[]; params?: KeyValue[]; tags?: KeyValue[] }): Promise<void> {
    await this.call('POST', 'runs/log-batch', { run_id: runId, metrics: batch.metrics ?? [], params: batch.params ?? [], tags: batch.tags ?? [] });
  }

  /** PUTs an artifact to `url` (from `artifactUrl`), with the same auth as the REST calls. */
  async upload(url: string, body: Uint8Array | Readable, headers: Record<string, string>): Promise<void> {
    const res = await this.#http.send('PUT', url, { ...this.#auth, ...headers }, body);
    this.#check(res.status, res.body, res.headers['retry-after'], `PUT ${safeUrl(url)}`);
  }

  scrub(text: string): string {
    return this.#http.scrub(text);
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  #check(status: number, body: string, retryAfter: string | string[] | undefined, what: string): void {
    if (status >= 200 && status < 300) return;
    let code: string | undefined;
    let message = body.slice(0, 200).replace(/\s+/g, ' ');
    try {
      const j = JSON.parse(body) as { error_code?: unknown; message?: unknown };
      if (typeof j.error_code === 'string') code = j.error_code;
      if (typeof j.message === 'string') message = j.message.slice(0, 300);
    } catch {
      // proxies and auth layers answer with HTML or text: decide by status
    }
    const kind: FailureKind = code && AUTH_CODES.has(code) ? 'auth' : code && RETRY_CODES.has(code) ? 'retry'
      : code ? 'reject' : status === 401 || status === 403 ? 'auth' : RETRY_STATUS.has(status) ? 'retry' : 'reject';
    const hint = kind === 'auth' ? ' Check MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD or MLFLOW_TRACKING_TOKEN.' : '';
    const text = this.#http.scrub(`MLflow ${what} failed: HTTP ${status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}.${hint}`);
    throw new MlflowError(text, kind, code, status, kind === 'retry' ? parseRetryAfter(retryAfter) : undefined);
  }
}
