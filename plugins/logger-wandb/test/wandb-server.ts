// Loopback W&B server following ../../../../shared/reference/logging-protocols.md §2: Basic auth
// ("api:<key>"), GraphQL Viewer / UpsertBucket / CreateRunFiles, file_stream with line offsets
// (a gap or a non-consecutive `_step` is refused), signed-URL PUTs that refuse an Authorization
// header. Lines re-sent at the same offset replace the old ones, so a history holds each step once.
import { randomBytes } from 'node:crypto';
import { Loopback, type Received, type Reply } from '@kiln/loggers/testing';
import { parseJsonWithNaN } from './nan-json.js';

export interface WandbRun {
  id: string;
  entity: string;
  project: string;
  displayName: string | null;
  notes: string | null;
  group: string | null;
  jobType: string | null;
  tags: string[];
  config: Record<string, { value: unknown }>;
  history: Record<string, unknown>[];
  summary: Record<string, unknown>;
  console: string[];
  files: Map<string, Buffer>;
  complete: boolean;
  exitcode: number | null;
  upserts: number;
}

const MAX_LINE = 10 * 1024 * 1024 - 100 * 1024;
const CONSOLE = /^(ERROR )?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6} /;
const bad = (reason: string, status = 400): Reply & { reason: string } => ({ status, body: JSON.stringify({ error: reason }), reason });
const gqlError = (reason: string): Reply & { reason: string } => ({ status: 200, body: JSON.stringify({ errors: [{ message: reason }], data: null }), reason });
const ok = (data: unknown): Reply => ({ status: 200, body: JSON.stringify(data) });

export class WandbServer extends Loopback {
  readonly runs = new Map<string, WandbRun>();
  readonly #token = randomBytes(8).toString('hex');

  constructor(readonly apiKey: string, readonly entity = 'kiln-user') {
    super((r) => this.route(r));
  }

  run(id: string): WandbRun {
    const run = [...this.runs.values()].find((x) => x.id === id);
    if (!run) throw new Error(`no run ${id} on the test server`);
    return run;
  }

  route(r: Received): Reply & { reason?: string } {
    const path = r.path.split('?')[0]!;
    if (r.method === 'PUT' && path.startsWith('/upload/')) return this.#upload(r, path);
    if (r.headers.authorization !== `Basic ${Buffer.from(`api:${this.apiKey}`).toString('base64')}`) {
      return { status: 401, body: JSON.stringify({ errors: [{ message: 'user is not logged in' }] }), reason: 'bad credentials' };
    }
    if (r.method !== 'POST') return bad('method not allowed', 405);
    if (!String(r.headers['content-type']).startsWith('application/json')) return bad('content-type must be application/json');
    if (path === '/graphql') return this.#graphql(r);
    const m = /^\/files\/([^/]+)\/([^/]+)\/([^/]+)\/file_stream$/.exec(path);
    if (m) return this.#fileStream(r, decodeURIComponent(m[1]!), decodeURIComponent(m[2]!), decodeURIComponent(m[3]!));
    return bad('not found', 404);
  }

  #graphql(r: Received): Reply & { reason?: string } {
    let req: { query?: string; variables?: Record<string, unknown>; operationName?: string };
    try {
      req = JSON.parse(r.body.toString('utf8')) as typeof req;
    } catch {
      return bad('body is not JSON');
    }
    const v = req.variables ?? {};
    const q = req.query ?? '';
    if (req.operationName === 'Viewer' && /query Viewer\b/.test(q)) {
      return ok({ data: { viewer: { id: 'VXNlcjox', entity: this.entity, username: this.entity, email: null, flags: '{}', teams: { edges: [] } } } });
    }
    if (req.operationName === 'UpsertBucket' && /mutation UpsertBucket\(/.test(q) && /upsertBucket\(input:/.test(q)) return this.#upsert(v);
    if (req.operationName === 'CreateRunFiles' && /createRunFiles\(input:/.test(q)) {
      const run = this.runs.get(`${v.entity}/${v.project}/${v.run}`);
      if (!run) return gqlError('run not found');
      const files = v.files;
      if (!Array.isArray(files) || files.length === 0 || !files.every((f) => typeof f === 'string' && f.length > 0)) return gqlError('files must be a non-empty list of names');
      const key = encodeURIComponent(`${run.entity}/${run.project}/${run.id}`);
      return ok({ data: { createRunFiles: {
        runID: run.id, uploadHeaders: [`X-Upload-Token: ${this.#token}`],
        files: files.map((name: string) => ({ name, uploadUrl: `${this.url}/upload/${key}/${encodeURIComponent(name)}?sig=${this.#token}` })),
      } } });
    }
    return bad(`unknown operation ${req.operationName}`);
  }

  #upsert(v: Record<string, unknown>): Reply & { reason?: string } {
    if (typeof v.name !== 'string' || !/^[\w-]+$/.test(v.name)) return gqlError('name (the run id) must be letters, digits, - or _');
    if (typeof v.project !== 'string' || !v.project) return gqlError('project is required');
    const entity = (v.entity as string | null) ?? this.entity;
    if (entity !== this.entity) return gqlError(`permission denied for entity ${entity}`);
    let config: Record<string, { value: unknown }> | undefined;
    if (v.config !== null && v.config !== undefined) {
      try {
        config = JSON.parse(v.config as string) as Record<string, { value: unknown }>;
        if (typeof config !== 'object' || !config || Array.isArray(config) || !Object.values(config).every((x) => x && typeof x === 'object' && 'value' in x)) throw new Error();
      } catch {
        return gqlError('config must be a JSON string of {"key": {"value": ...}}');
      }
    }
    if (v.tags != null && (!Array.isArray(v.tags) || !v.tags.every((t) => typeof t === 'string'))) return gqlError('tags must be strings');
    const key = `${entity}/${v.project}/${v.name}`;
    const inserted = !this.runs.has(key);
    const run: WandbRun = this.runs.get(key) ?? {
      id: v.name, entity, project: v.project, displayName: null, notes: null, group: null, jobType: null, tags: [], config: {},
      history: [], summary: {}, console: [], files: new Map(), complete: false, exitcode: null, upserts: 0,
    };
    this.runs.set(key, run);
    run.upserts++;
    if (typeof v.displayName === 'string') run.displayName = v.displayName;
    if (typeof v.notes === 'string') run.notes = v.notes;
    if (typeof v.groupName === 'string') run.group = v.groupName;
    if (typeof v.jobType === 'string') run.jobType = v.jobType;
    if (Array.isArray(v.tags)) run.tags = v.tags as string[];
    if (config) run.config = config;
    return ok({ data: { upsertBucket: { inserted, bucket: {
      id: Buffer.from(`Run:v1:${run.id}:${run.project}:${run.entity}`).toString('base64'), name: run.id, displayName: run.displayName,
      description: null, config: JSON.stringify(run.config), sweepName: null, historyLineCount: run.history.length,
      project: { id: 'UHJvamVjdDox', name: run.project, entity: { id: 'RW50aXR5OjE=', name: run.entity } },
    } } } });
  }

  #fileStream(r: Received, entity: string, project: string, id: string): Reply & { reason?: string } {
    const run = this.runs.get(`${entity}/${project}/${id}`);
    if (!run) return bad('run not found', 404);
    if (r.body.length > 10 * 1024 * 1024) return bad('request too large', 413);
    let body: { files?: Record<string, { offset?: unknown; content?: unknown }>; complete?: unknown; exitcode?: unknown; uploaded?: unknown };
    try {
      body = JSON.parse(r.body.toString('utf8')) as typeof body;
    } catch {
      return bad('body is not JSON');
    }
    const files = body.files ?? {};
    // validate everything first, then apply: a refused request changes nothing
    const staged: (() => void)[] = [];
    for (const [name, f] of Object.entries(files)) {
      const offset = f.offset;
      const content = f.content;
      if (!Number.isSafeInteger(offset) || (offset as number) < 0) return bad(`${name}: offset must be a non-negative integer`);
      if (!Array.isArray(content) || !content.every((l) => typeof l === 'string')) return bad(`${name}: content must be a list of strings`);
      if (content.some((l: string) => l.length > MAX_LINE)) return bad(`${name}: line too long`);
      const lines = content as string[];
      const at = offset as number;
      if (name === 'wandb-history.jsonl') {
        if (at > run.history.length) return bad(`history offset ${at} leaves a gap (server has ${run.history.length} lines)`);
        const rows: Record<string, unknown>[] = [];
        for (const [i, line] of lines.entries()) {
          let row: Record<string, unknown>;
          try {
            row = parseJsonWithNaN(line) as Record<string, unknown>;
          } catch {
            return bad(`history line ${at + i} is not JSON`);
          }
          if (!row || typeof row !== 'object' || Array.isArray(row)) return bad(`history line ${at + i} is not an object`);
          if (!Number.isSafeInteger(row._step) || typeof row._runtime !== 'number' || typeof row._timestamp !== 'number') return bad(`history line ${at + i} lacks _step/_runtime/_timestamp`);
          const prev = i > 0 ? rows[i - 1] : run.history[at - 1];
          if (prev && row._step !== (prev._step as number) + 1) return bad(`history line ${at + i}: _step ${String(row._step)} does not follow ${String(prev._step)}`);
          rows.push(row);
        }
        staged.push(() => run.history.splice(at, rows.length, ...rows));
      } else if (name === 'wandb-summary.json') {
        if (at !== 0 || lines.length !== 1) return bad('summary must be one line at offset 0');
        let s: unknown;
        try {
          s = parseJsonWithNaN(lines[0]!);
        } catch {
          return bad('summary is not JSON');
        }
        staged.push(() => { run.summary = s as Record<string, unknown>; });
      } else if (name === 'output.log') {
        if (at > run.console.length) return bad(`output.log offset ${at} leaves a gap`);
        if (!lines.every((l) => CONSOLE.test(l))) return bad('output.log lines must start with "[ERROR ]YYYY-MM-DDTHH:MM:SS.ffffff "');
        staged.push(() => run.console.splice(at, lines.length, ...lines));
      }
    }
    if (body.complete !== undefined && typeof body.complete !== 'boolean') return bad('complete must be a boolean');
    if (body.complete === true && !Number.isSafeInteger(body.exitcode)) return bad('a complete request needs an integer exitcode');
    for (const apply of staged) apply();
    if (body.complete === true) {
      run.complete = true;
      run.exitcode = body.exitcode as number;
    }
    return ok({ exitcode: null, limits: {} });
  }

  #upload(r: Received, path: string): Reply & { reason?: string } {
    if (r.headers.authorization) return bad('signed URLs take no Authorization header');
    if (r.headers['x-upload-token'] !== this.#token || !r.path.includes(`sig=${this.#token}`)) return bad('bad signature', 403);
    if (Number(r.headers['content-length']) !== r.body.length) return bad('content-length does not match the body');
    const [, , key, name] = path.split('/');
    const run = this.runs.get(decodeURIComponent(key!));
    if (!run) return bad('no such run', 404);
    run.files.set(decodeURIComponent(name!), r.body);
    return { status: 200 };
  }
}

export async function startWandbServer(apiKey: string, port = 0): Promise<WandbServer> {
  return new WandbServer(apiKey).listen(port);
}
