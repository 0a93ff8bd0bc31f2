import type { Readable } from 'node:stream';
import { HttpClient, type HttpResult, RemoteError, parseRetryAfter, safeUrl } from '@kiln/loggers';

/** Where and as whom to talk to W&B. The key is only ever used to build the auth header. */
export interface WandbEndpoint {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
  readonly username?: string;
  readonly email?: string;
}

/** What UpsertBucket tells us about the run. */
export interface Bucket {
  readonly storageId: string;
  readonly runId: string;
  readonly entity: string;
  readonly project: string;
  readonly historyLineCount: number;
}

export interface UpsertVariables {
  name: string;
  project: string;
  entity?: string | null;
  displayName?: string | null;
  notes?: string | null;
  groupName?: string | null;
  jobType?: string | null;
  tags?: string[] | null;
  config?: string | null;
  host?: string | null;
  program?: string | null;
}

// Statuses W&B's Go core never retries (core/internal/clients/retry_policy.go); 409 is retried for UpsertBucket.
const NO_RETRY = new Set([400, 401, 403, 404, 409, 410, 413, 422, 501]);

const VIEWER = 'query Viewer { viewer { id entity username email flags teams { edges { node { name } } } } }';
const UPSERT = `mutation UpsertBucket($id: String, $name: String, $project: String, $entity: String, $groupName: String, $description: String, $displayName: String, $notes: String, $commit: String, $config: JSONString, $host: String, $debug: Boolean, $program: String, $repo: String, $jobType: String, $state: String, $sweep: String, $tags: [String!], $summaryMetrics: JSONString) {
  upsertBucket(input: {id: $id, name: $name, groupName: $groupName, modelName: $project, entityName: $entity, description: $description, displayName: $displayName, notes: $notes, config: $config, commit: $commit, host: $host, debug: $debug, jobProgram: $program, jobRepo: $repo, jobType: $jobType, state: $state, sweep: $sweep, tags: $tags, summaryMetrics: $summaryMetrics}) {
    bucket { id name displayName description config sweepName project { id name entity { id name } } historyLineCount }
    inserted
  }
}`;
const CREATE_RUN_FILES = `mutation CreateRunFiles($entity: String!, $project: String!, $run: String!, $files: [String!]!) {
  createRunFiles(input: {entityName: $entity, projectName: $project, runName: $run, files: $files}) { runID uploadHeaders files { name uploadUrl } }
}`;

/** The W&B HTTP API without the SDK: GraphQL, file_stream and signed-URL uploads. */
export class WandbClient {
  readonly #http: HttpClient;
  readonly #auth: string;

  constructor(readonly endpoint: WandbEndpoint) {
    this.#http = new HttpClient({ timeoutMs: endpoint.timeoutMs, secrets: [endpoint.apiKey, `api:${endpoint.apiKey}`] }); // `api:<key>`: its base64 is the Basic auth header
    this.#auth = `Basic ${Buffer.from(`api:${endpoint.apiKey}`).toString('base64')}`;
  }

  /** Aborts this client's calls (set per send by the sender). */
  set signal(signal: AbortSignal | undefined) {
    this.#http.signal = signal;
  }

  get baseUrl(): string {
    return this.endpoint.baseUrl.replace(/\/+$/, '');
  }

  async viewer(): Promise<{ entity: string }> {
    const data = await this.graphql<{ viewer: { entity?: string } | null }>('Viewer', VIEWER, {});
    const entity = data.viewer?.entity;
    if (!entity) throw new RemoteError('W&B Viewer returned no entity: set WANDB_ENTITY or the `entity` option.', 'reject');
    return { entity };
  }

  async upsertBucket(v: UpsertVariables): Promise<Bucket> {
    const vars = { id: null, description: null, commit: null, debug: null, repo: null, state: null, sweep: null, summaryMetrics: null, ...v };
    const data = await this.graphql<{ upsertBucket: { bucket: RawBucket } | null }>('UpsertBucket', UPSERT, vars, true);
    const b = data.upsertBucket?.bucket;
    if (!b?.name) throw new RemoteError('W&B UpsertBucket returned no bucket.', 'reject');
    return { storageId: b.id, runId: b.name, entity: b.project?.entity?.name ?? v.entity ?? '', project: b.project?.name ?? v.project, historyLineCount: b.historyLineCount ?? 0 };
  }

  /** POSTs one file_stream request (`body` is already serialized); resolves with the server's `stopped` flag. */
  async fileStream(entity: string, project: string, runId: string, body: string): Promise<{ stopped: boolean }> {
    const url = `${this.baseUrl}/files/${enc(entity)}/${enc(project)}/${enc(runId)}/file_stream`;
    const res = await this.#http.send('POST', url, this.#headers(), body);
    this.#check(res, 'file_stream', url);
    try {
      return { stopped: (JSON.parse(res.body) as { stopped?: boolean }).stopped === true };
    } catch {
      return { stopped: false };
    }
  }

  async createRunFiles(entity: string, project: string, runId: string, files: string[]): Promise<{ headers: Record<string, string>; urls: Map<string, string> }> {
    type R = { createRunFiles: { uploadHeaders?: string[]; files: { name: string; uploadUrl: string }[] } | null };
    const data = await this.graphql<R>('CreateRunFiles', CREATE_RUN_FILES, { entity, project, run: runId, files });
    const out = data.createRunFiles;
    if (!out) throw new RemoteError('W&B CreateRunFiles returned nothing.', 'reject');
    const headers: Record<string, string> = {};
    for (const h of out.uploadHeaders ?? []) {
      const i = h.indexOf(':');
      if (i > 0) headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
    }
    return { headers, urls: new Map(out.files.map((f) => [f.name, f.uploadUrl])) };
  }

  /** PUTs bytes (or a stream, with its content-length in `headers`) to a signed upload URL, with the upload headers and no Authorization header. */
  async upload(url: string, bytes: Uint8Array | Readable, headers: Record<string, string>): Promise<void> {
    const length: Record<string, string> = bytes instanceof Uint8Array ? { 'content-length': String(bytes.byteLength) } : {};
    const res = await this.#http.send('PUT', url, { ...length, ...headers }, bytes);
    this.#check(res, 'file upload', url);
  }

  async graphql<T>(operationName: string, query: string, variables: Record<string, unknown>, retry409 = false): Promise<T> {
    const url = `${this.baseUrl}/graphql`;
    const res = await this.#http.send('POST', url, this.#headers(), JSON.stringify({ query, variables, operationName }));
    this.#check(res, operationName, url, retry409);
    let parsed: { data?: T; errors?: { message?: string }[] };
    try {
      parsed = JSON.parse(res.body) as typeof parsed;
    } catch {
      throw new RemoteError(`W&B ${operationName} answered with a body that is not JSON.`, 'retry', res.status);
    }
    if (parsed.errors?.length) {
      const msg = parsed.errors.map((e) => e.message ?? '?').join('; ');
      throw new RemoteError(this.#http.scrub(`W&B ${operationName} failed: ${msg.slice(0, 300)}`), /permission|unauthori[sz]ed|not logged in/i.test(msg) ? 'auth' : 'reject');
    }
    if (parsed.data === undefined || parsed.data === null) throw new RemoteError(`W&B ${operationName} returned no data.`, 'reject');
    return parsed.data;
  }

  scrub(text: string): string {
    return this.#http.scrub(text);
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  #headers(): Record<string, string> {
    const h: Record<string, string> = { authorization: this.#auth, 'content-type': 'application/json', 'user-agent': 'kiln-wandb' };
    if (this.endpoint.username) h['x-wandb-username'] = this.endpoint.username;
    if (this.endpoint.email) h['x-wandb-user-email'] = this.endpoint.email;
    return h;
  }

  #check(res: HttpResult, what: string, url: string, retry409 = false): void {
    if (res.status >= 200 && res.status < 300) return;
    const detail = this.#http.scrub(res.body.slice(0, 200).replace(/\s+/g, ' '));
    const message = `W&B ${what} (${safeUrl(url)}) answered HTTP ${res.status}${detail ? `: ${detail}` : ''}`;
    if (res.status === 401 || res.status === 403) throw new RemoteError(`${message}. Check WANDB_API_KEY and the entity/project.`, 'auth', res.status);
    const retry = !NO_RETRY.has(res.status) || (retry409 && res.status === 409);
    throw new RemoteError(message, retry ? 'retry' : 'reject', res.status, retry ? parseRetryAfter(res.headers['retry-after']) : undefined);
  }
}

interface RawBucket {
  id: string;
  name: string;
  historyLineCount?: number;
  project?: { name?: string; entity?: { name?: string } };
}

function enc(s: string): string {
  return encodeURIComponent(s);
}
