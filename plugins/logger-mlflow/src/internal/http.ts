import type { Readable } from 'node:stream';
import { Agent, request } from 'undici';

/** How a failed call should be handled: retried later, or given up on. */
export type FailureKind = 'retry' | 'reject' | 'auth';

/**
 * A failed remote call. `kind` says what to do: `retry` (network error, timeout, 429, 5xx),
 * `auth` (401/403: stop delivering and keep the events), `reject` (the server will never accept
 * this request). Messages never hold credentials or signed-URL queries.
 */
export class RemoteError extends Error {
  constructor(message: string, readonly kind: FailureKind, readonly status?: number, readonly retryAfterMs?: number) {
    super(message);
    this.name = 'RemoteError';
  }
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** A URL as it may appear in a message: no user info, no query (signed URLs carry tokens there). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** `Retry-After` as milliseconds (seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/**
 * undici with one connection pool, idle timeouts (connect, headers, body) that end hung calls,
 * and a scrubber that removes every known secret from messages.
 */
export class HttpClient {
  readonly #agent: Agent;
  readonly #secrets: string[];

  constructor(readonly timeoutMs: number, secrets: readonly (string | undefined)[] = [], tls: { insecure?: boolean; ca?: Buffer } = {}) {
    const connect = { timeout: timeoutMs, ...(tls.insecure ? { rejectUnauthorized: false } : {}), ...(tls.ca ? { ca: tls.ca } : {}) };
    this.#agent = new Agent({ connect, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 4_000 });
    this.#secrets = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4);
  }

  /** Replaces every secret (and its base64 form: pass `user:password` for Basic auth) in `text` by `***`. */
  scrub(text: string): string {
    let out = text;
    for (const s of this.#secrets) {
      for (const form of [s, Buffer.from(s).toString('base64')]) out = out.split(form).join('***');
    }
    return out;
  }

  /** Aborts calls in flight and later calls while it is aborted (the Deliverer's per-send signal). */
  signal: AbortSignal | undefined;

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
