// Loopback MLflow tracking server reproducing ../../../../shared/reference/logging-protocols.md §3:
// /api/2.0/mlflow paths, {error_code, message} errors with MLflow's status map (RESOURCE_ALREADY_EXISTS
// is 400), log-batch limits (1000 metrics / 100 params / 100 tags / 1000 items / 1 MB), key rules,
// param immutability, mlflow.runName consistency, metric dedupe on (key, timestamp, step, value)
// like the SQL store's primary key, runs/search on a tag, and the mlflow-artifacts PUT path.
import { randomUUID } from 'node:crypto';
import { Loopback, type Received, type Reply } from '@kiln/loggers/testing';

type Row = { key: string; value: string };
export interface StoredMetric { key: string; value: number; timestamp: number; step: number }
export interface MlflowRun {
  info: { run_id: string; run_uuid: string; run_name: string; experiment_id: string; user_id: string; status: string; start_time: number; end_time?: number; artifact_uri: string; lifecycle_stage: string };
  params: Map<string, string>;
  tags: Map<string, string>;
  metrics: StoredMetric[];
}
export interface MlflowExperiment { experiment_id: string; name: string; artifact_location: string; lifecycle_stage: string; creation_time: number; last_update_time: number; tags: Row[] }

const STATUS: Record<string, number> = {
  INVALID_PARAMETER_VALUE: 400, BAD_REQUEST: 400, RESOURCE_ALREADY_EXISTS: 400, RESOURCE_DOES_NOT_EXIST: 404, ENDPOINT_NOT_FOUND: 404,
  UNAUTHENTICATED: 401, PERMISSION_DENIED: 403, INVALID_STATE: 500,
};
const KEY = /^[/\w.\- ]*$/;
const RUN_STATUSES = new Set(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']);
type Answer = Reply & { reason?: string };

export class MlflowError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
const fail = (code: string, message: string): never => {
  throw new MlflowError(code, message);
};
const ok = (data: unknown): Answer => ({ status: 200, body: JSON.stringify(data) });

function checkKey(what: string, key: unknown): string {
  if (typeof key !== 'string' || key === '') fail('INVALID_PARAMETER_VALUE', `${what} key must be a non-empty string`);
  const k = key as string;
  if (k.length > 250) fail('INVALID_PARAMETER_VALUE', `${what} key '${k.slice(0, 20)}…' is longer than 250`);
  if (!KEY.test(k)) fail('INVALID_PARAMETER_VALUE', `Invalid ${what} name: '${k}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).`);
  if (k.startsWith('/') || k.includes('//') || k.split('/').some((s) => s === '..' || s === '.')) fail('INVALID_PARAMETER_VALUE', `${what} name '${k}' is not a normalized path`);
  return k;
}
const isInt = (v: unknown): boolean => (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v));

export interface MlflowServerOptions {
  auth?: { username: string; password: string } | { token: string };
  /** Longest param value accepted (6000 in current MLflow, 500 in older servers). */
  maxParamLength?: number;
}

export class MlflowServer extends Loopback {
  readonly experiments = new Map<string, MlflowExperiment>();
  readonly runs = new Map<string, MlflowRun>();
  readonly artifacts = new Map<string, { body: Buffer; contentType: string | undefined }>();
  #nextExperiment = 1;

  constructor(readonly options: MlflowServerOptions = {}) {
    super((r) => this.#route(r));
    this.experiments.set('0', { experiment_id: '0', name: 'Default', artifact_location: 'mlflow-artifacts:/0', lifecycle_stage: 'active', creation_time: 0, last_update_time: 0, tags: [] });
  }

  experiment(name: string): MlflowExperiment | undefined {
    return [...this.experiments.values()].find((e) => e.name === name);
  }

  #route(r: Received): Answer {
    const [path, query = ''] = r.path.split('?') as [string, string?];
    if (path === '/health') return { status: 200, body: 'OK' };
    try {
      this.#authenticate(r);
      if (r.method === 'PUT' && path.startsWith('/api/2.0/mlflow-artifacts/artifacts/')) return this.#artifact(r, path.slice('/api/2.0/mlflow-artifacts/artifacts/'.length));
      const m = /^\/api\/2\.0\/mlflow\/(.+)$/.exec(path);
      if (!m) fail('ENDPOINT_NOT_FOUND', `No API endpoint ${r.method} ${path}`);
      const endpoint = `${r.method} ${m![1]}`;
      let req: Record<string, unknown> = {};
      if (r.method === 'GET') req = Object.fromEntries(new URLSearchParams(query));
      else {
        if (!String(r.headers['content-type'] ?? '').startsWith('application/json')) fail('BAD_REQUEST', 'Content-Type must be application/json');
        try {
          req = JSON.parse(r.body.toString('utf8') || '{}') as Record<string, unknown>;
        } catch {
          fail('BAD_REQUEST', 'request body is not JSON');
        }
      }
      return this.#endpoint(endpoint, req, r.body.length);
    } catch (e) {
      if (!(e instanceof MlflowError)) throw e;
      return { status: STATUS[e.code] ?? 500, body: JSON.stringify({ error_code: e.code, message: e.message }), reason: `${e.code}: ${e.message}` };
    }
  }

  #authenticate(r: Received): void {
    const a = this.options.auth;
    if (!a) return;
    const want = 'token' in a ? `Bearer ${a.token}` : `Basic ${Buffer.from(`${a.username}:${a.password}`).toString('base64')}`;
    if (r.headers.authorization !== want) fail('UNAUTHENTICATED', 'You are not authenticated. Please provide valid credentials.');
  }

  #endpoint(endpoint: string, q: Record<string, unknown>, bytes: number): Answer {
    switch (endpoint) {
      case 'GET experiments/get-by-name': {
        const e = this.experiment(String(q.experiment_name ?? ''));
        if (!e) fail('RESOURCE_DOES_NOT_EXIST', `Could not find experiment with name '${String(q.experiment_name)}'`);
        return ok({ experiment: e });
      }
      case 'POST experiments/create': {
        if (typeof q.name !== 'string' || !q.name) fail('INVALID_PARAMETER_VALUE', "Missing value for required parameter 'name'.");
        if (this.experiment(q.name as string)) fail('RESOURCE_ALREADY_EXISTS', `Experiment '${String(q.name)}' already exists.`);
        return ok({ experiment_id: this.createExperiment(q.name as string) });
      }
      case 'POST runs/create': return this.#createRun(q);
      case 'GET runs/get': return ok({ run: this.#view(this.#run(q.run_id)) });
      case 'POST runs/update': {
        const run = this.#run(q.run_id);
        if (typeof q.status !== 'string' || !RUN_STATUSES.has(q.status)) fail('INVALID_PARAMETER_VALUE', `Invalid run status '${String(q.status)}'`);
        if (q.end_time !== undefined && !isInt(q.end_time)) fail('INVALID_PARAMETER_VALUE', 'end_time must be an int64');
        run.info.status = q.status as string;
        if (q.end_time !== undefined) run.info.end_time = Number(q.end_time);
        return ok({ run_info: run.info });
      }
      case 'POST runs/log-batch': return this.#logBatch(q, bytes);
      case 'POST runs/search': {
        const ids = q.experiment_ids;
        if (!Array.isArray(ids) || ids.length === 0) fail('INVALID_PARAMETER_VALUE', 'experiment_ids must be a non-empty list');
        const filter = String(q.filter ?? '').trim();
        const m = /^tags\.(?:`([^`]+)`|([\w.]+))\s*=\s*'((?:[^'\\]|\\.)*)'$/.exec(filter);
        if (filter && !m) fail('INVALID_PARAMETER_VALUE', `Invalid filter '${filter}'`);
        const runs = [...this.runs.values()].filter((run) => (ids as string[]).includes(run.info.experiment_id) && run.info.lifecycle_stage === 'active' &&
          (!m || run.tags.get(m[1] ?? m[2]!) === m[3]!.replace(/\\'/g, "'")));
        return ok(runs.length ? { runs: runs.slice(0, Number(q.max_results ?? 1000)).map((run) => this.#view(run)) } : {});
      }
      default:
        return fail('ENDPOINT_NOT_FOUND', `No API endpoint ${endpoint}`);
    }
  }

  createExperiment(name: string): string {
    const id = String(this.#nextExperiment++);
    this.experiments.set(id, { experiment_id: id, name, artifact_location: `mlflow-artifacts:/${id}`, lifecycle_stage: 'active', creation_time: Date.now(), last_update_time: Date.now(), tags: [] });
    return id;
  }

  #createRun(q: Record<string, unknown>): Answer {
    const exp = this.experiments.get(String(q.experiment_id ?? ''));
    if (!exp) fail('RESOURCE_DOES_NOT_EXIST', `No Experiment with id=${String(q.experiment_id)} exists`);
    if (exp!.lifecycle_stage !== 'active') fail('INVALID_PARAMETER_VALUE', 'The experiment must be in the active state');
    if (q.start_time !== undefined && (!isInt(q.start_time) || Number(q.start_time) < 0)) fail('INVALID_PARAMETER_VALUE', 'start_time must be a non-negative int64');
    const tags = new Map<string, string>();
    for (const t of (q.tags ?? []) as Row[]) {
      checkKey('Tag', t?.key);
      if (typeof t.value !== 'string' || t.value.length > 8000) fail('INVALID_PARAMETER_VALUE', `Tag '${t.key}' value must be a string of at most 8000 characters`);
      tags.set(t.key, t.value);
    }
    const tagName = tags.get('mlflow.runName');
    if (q.run_name !== undefined && tagName !== undefined && q.run_name !== tagName) {
      fail('INVALID_PARAMETER_VALUE', `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${String(q.run_name)}', mlflow.runName='${tagName}').`);
    }
    const name = (q.run_name as string | undefined) ?? tagName ?? `run-${this.runs.size}`;
    tags.set('mlflow.runName', name);
    const id = randomUUID().replace(/-/g, '');
    const run: MlflowRun = {
      info: { run_id: id, run_uuid: id, run_name: name, experiment_id: exp!.experiment_id, user_id: tags.get('mlflow.user') ?? '', status: 'RUNNING',
        start_time: Number(q.start_time ?? Date.now()), artifact_uri: `${exp!.artifact_location}/${id}/artifacts`, lifecycle_stage: 'active' },
      params: new Map(), tags, metrics: [],
    };
    this.runs.set(id, run);
    return ok({ run: this.#view(run) });
  }

  #logBatch(q: Record<string, unknown>, bytes: number): Answer {
    const run = this.#run(q.run_id);
    if (run.info.lifecycle_stage !== 'active') fail('INVALID_PARAMETER_VALUE', `The run ${run.info.run_id} must be in the 'active' state.`);
    const metrics = (q.metrics ?? []) as Record<string, unknown>[];
    const params = (q.params ?? []) as Row[];
    const tags = (q.tags ?? []) as Row[];
    if (!Array.isArray(metrics) || !Array.isArray(params) || !Array.isArray(tags)) fail('INVALID_PARAMETER_VALUE', 'metrics, params and tags must be lists');
    if (bytes > 1_000_000) fail('INVALID_PARAMETER_VALUE', `Batched logging API requests must be at most 1000000 bytes, got ${bytes}`);
    if (metrics.length > 1000) fail('INVALID_PARAMETER_VALUE', `A batch logging request can contain at most 1000 metrics. Got ${metrics.length} metrics.`);
    if (params.length > 100) fail('INVALID_PARAMETER_VALUE', `A batch logging request can contain at most 100 params. Got ${params.length} params.`);
    if (tags.length > 100) fail('INVALID_PARAMETER_VALUE', `A batch logging request can contain at most 100 tags. Got ${tags.length} tags.`);
    if (metrics.length + params.length + tags.length > 1000) fail('INVALID_PARAMETER_VALUE', 'A batch logging request can contain at most 1000 entities.');
    const parsed: StoredMetric[] = metrics.map((m) => {
      checkKey('Metric', m.key);
      const v = m.value;
      const value = typeof v === 'number' ? v : v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? Number(v) : fail('INVALID_PARAMETER_VALUE', `Got invalid value ${JSON.stringify(v)} for metric '${String(m.key)}'`);
      if (!isInt(m.timestamp) || Number(m.timestamp) < 0) fail('INVALID_PARAMETER_VALUE', `Metric '${String(m.key)}' has an invalid timestamp ${JSON.stringify(m.timestamp)}`);
      if (m.step !== undefined && !isInt(m.step)) fail('INVALID_PARAMETER_VALUE', `Metric '${String(m.key)}' has an invalid step ${JSON.stringify(m.step)}`);
      return { key: m.key as string, value: value as number, timestamp: Number(m.timestamp), step: Number(m.step ?? 0) };
    });
    const seen = new Set<string>();
    for (const p of params) {
      checkKey('Param', p?.key);
      if (seen.has(p.key)) fail('INVALID_PARAMETER_VALUE', `Duplicate parameter keys have been submitted: ['${p.key}']`);
      seen.add(p.key);
      if (typeof p.value !== 'string' || p.value.length > (this.options.maxParamLength ?? 6000)) fail('INVALID_PARAMETER_VALUE', `Param '${p.key}' value is longer than ${this.options.maxParamLength ?? 6000}`);
      const old = run.params.get(p.key);
      if (old !== undefined && old !== p.value) fail('INVALID_PARAMETER_VALUE', `Changing param values is not allowed. Param with key='${p.key}' was already logged with value='${old}'`);
    }
    for (const t of tags) {
      checkKey('Tag', t?.key);
      if (typeof t.value !== 'string' || t.value.length > 8000) fail('INVALID_PARAMETER_VALUE', `Tag '${t.key}' value must be a string of at most 8000 characters`);
    }
    const same = (a: StoredMetric, b: StoredMetric): boolean => a.key === b.key && a.timestamp === b.timestamp && a.step === b.step && Object.is(a.value, b.value);
    for (const m of parsed) if (!run.metrics.some((x) => same(x, m))) run.metrics.push(m);
    for (const p of params) run.params.set(p.key, p.value);
    for (const t of tags) run.tags.set(t.key, t.value);
    return ok({});
  }

  #artifact(r: Received, path: string): Answer {
    const parts = decodeURIComponent(path).split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..')) fail('INVALID_PARAMETER_VALUE', `Invalid path '${path}'`);
    if (Number(r.headers['content-length']) !== r.body.length) fail('BAD_REQUEST', 'content-length does not match the body');
    this.artifacts.set(parts.join('/'), { body: r.body, contentType: r.headers['content-type'] });
    return ok({});
  }

  #run(id: unknown): MlflowRun {
    const run = this.runs.get(String(id ?? ''));
    if (!run) fail('RESOURCE_DOES_NOT_EXIST', `Run with id=${String(id)} not found`);
    return run!;
  }

  #view(run: MlflowRun) {
    const latest = new Map<string, StoredMetric>();
    for (const m of run.metrics) if (!latest.has(m.key) || latest.get(m.key)!.step <= m.step) latest.set(m.key, m);
    return {
      info: run.info,
      data: { metrics: [...latest.values()], params: [...run.params].map(([key, value]) => ({ key, value })), tags: [...run.tags].map(([key, value]) => ({ key, value })) },
      inputs: {},
    };
  }
}

export async function startMlflowServer(options: MlflowServerOptions = {}, port = 0): Promise<MlflowServer> {
  return new MlflowServer(options).listen(port);
}
