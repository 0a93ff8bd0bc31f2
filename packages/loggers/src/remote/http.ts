import type { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { scrubSecrets } from './scrub.js';

/** What to do about a failed remote call: retry it later, stop delivering (bad credentials), or give up on it. */
export type FailureKind = 'retry' | 'reject' | 'auth';

/**
 * A failed remote call. `kind` says what to do: `retry` (network error, timeout, 429, 5xx),
 * `auth` (401/403: stop delivering and keep the events for `kiln sync`), `reject` (the server will
 * never accept this request). Messages never hold credentials or signed-URL queries.
 * @example throw new RemoteError('W&B file_stream answered HTTP 503', 'retry', 503, 2000)
 */
export class RemoteError extends Error {
  constructor(message: string, readonly kind: FailureKind, readonly status?: number, readonly retryAfterMs?: number) {
    super(message);
    this.name = 'RemoteError';
  }
}

/** An HTTP answer of any status, its body read as text. */
export interface HttpResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** How an `HttpClient` connects. */
export interface HttpClientOptions {
  /** Idle timeout of each phase of a call (connect, response headers, each body chunk), ms. */
  readonly timeoutMs: number;
  /**
   * Strings that must never appear in a message (API keys, tokens, passwords), removed together
   * with their base64 forms; pass `user:password` (W&B: `api:<key>`) to cover a Basic auth header.
   * Empty, undefined and shorter-than-4 entries are ignored.
   */
  readonly secrets?: readonly (string | undefined)[];
  /** TLS: accept any server certificate, and/or trust this CA (PEM). */
  readonly tls?: { readonly insecure?: boolean; readonly ca?: Buffer | string };
}

/**
 * A URL as it may appear in a message: no user info, no query (signed URLs carry tokens there).
 * @example safeUrl('https://u:p@host/x?sig=abc') // 'https://host/x'
 */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * `Retry-After` as milliseconds (seconds, or an HTTP date relative to `now`); undefined when absent or unreadable.
 * @example parseRetryAfter('3') // 3000
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/**
 * HTTP for remote loggers, over undici: one connection pool, idle timeouts (connect, headers,
 * body) that end hung calls, an abort `signal` (the Deliverer's, set per send), and `scrub`, which
 * removes every secret from a text. `send` resolves with any HTTP status; only network errors,
 * timeouts and aborts reject, as a `RemoteError` of kind `retry` whose message is scrubbed.
 * @example
 * const http = new HttpClient({ timeoutMs: 20_000, secrets: [token] });
 * const res = await http.send('POST', `${base}/api`, { authorization: `Bearer ${token}` }, JSON.stringify(body));
 * if (res.status !== 200) throw new RemoteError(http.scrub(res.body), 'retry', res.status);
 * await http.close();
 */
export class HttpClient {
  readonly timeoutMs: number;
  /** Aborts the calls in flight, and refuses new ones while it is aborted. */
  signal: AbortSignal | undefined;
  readonly #agent: Agent;
  readonly #forms: string[];

  constructor(options: HttpClientOptions) {
    const { timeoutMs, tls = {} } = options;
    this.timeoutMs = timeoutMs;
    const connect = { timeout: timeoutMs, ...(tls.insecure ? { rejectUnauthorized: false } : {}), ...(tls.ca ? { ca: tls.ca } : {}) };
    this.#agent = new Agent({ connect, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 4_000 });
    const secrets = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 4);
    this.#forms = secrets.flatMap((s) => [s, Buffer.from(s).toString('base64')]);
  }

  /** `text` with every secret (and its base64 form) replaced by `***`. */
  scrub(text: string): string {
    return scrubSecrets(text, this.#forms);
  }

  /** One call; `body` may be a stream (then give its `content-length` in `headers`). */
  async send(method: string, url: string, headers: Record<string, string>, body?: string | Uint8Array | Readable): Promise<HttpResult> {
    try {
      const signal = this.signal;
      signal?.throwIfAborted();
      const res = await request(url, { method: method as 'POST', headers, body, dispatcher: this.#agent, ...(signal ? { signal } : {}) });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, body: text };
    } catch (e) {
      const err = e as { code?: string; message?: string; cause?: { code?: string } };
      const why = err.cause?.code ?? err.code ?? err.message ?? String(e);
      throw new RemoteError(this.scrub(`${method} ${safeUrl(url)} failed: ${why}`), 'retry');
    }
  }

  /** Closes the pool, ending calls still hanging. */
  async close(): Promise<void> {
    await this.#agent.destroy().catch(() => undefined);
  }
}
