// A tiny HTTP harness for the loopback test servers: routing is the server's job, this adds
// request logging and fault injection (answer with a status, hang, or process and drop the answer).
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { Socket } from 'node:net';

export interface Reply {
  status: number;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number | 'hang' | 'dropped';
  /** Why the server refused it (for 4xx answers from the routes). */
  reason?: string;
}

/** `hang`: never answer; `drop`: process the request, then cut the connection instead of answering. */
export type Fault = Reply | 'hang' | 'drop' | undefined;

export class Loopback {
  url = '';
  readonly log: LoggedRequest[] = [];
  readonly bodies: Received[] = [];
  /** Decides a fault per request; undefined lets the route answer. */
  fault: (r: Received) => Fault = () => undefined;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  constructor(route: (r: Received) => Reply & { reason?: string }) {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.#handle(route, { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) }, res));
    });
    this.#server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
  }

  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => resolve());
    });
    const addr = this.#server.address();
    this.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(route: (r: Received) => Reply & { reason?: string }, r: Received, res: ServerResponse): void {
    this.bodies.push(r);
    const path = r.path.split('?')[0]!;
    const fault = this.fault(r);
    if (fault === 'hang') return void this.log.push({ method: r.method, path, status: 'hang' });
    const reply = fault === undefined || fault === 'drop' ? route(r) : fault;
    if (fault === 'drop') {
      this.log.push({ method: r.method, path, status: 'dropped' });
      return void res.socket?.destroy();
    }
    this.log.push({ method: r.method, path, status: reply.status, ...('reason' in reply && reply.reason ? { reason: String(reply.reason) } : {}) });
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(reply.body ?? '');
  }
}

/** A port that nothing listens on right now (for "server down for the whole run", then started on it). */
export async function freePort(): Promise<number> {
  const lb = await new Loopback(() => ({ status: 200 })).listen();
  const port = Number(new URL(lb.url).port);
  await lb.close();
  return port;
}

/**
 * JSON.parse that also accepts the bare tokens NaN, Infinity and -Infinity outside strings (as
 * W&B's file_stream lines carry them); anything else JSON.parse rejects is still rejected.
 */
export function parseJsonWithNaN(text: string): unknown {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    const token = ['-Infinity', 'Infinity', 'NaN'].find((t) => text.startsWith(t, i));
    if (token) {
      out += `"\\u0000${token}"`;
      i += token.length - 1;
    } else out += c;
  }
  return JSON.parse(out, (_k, v: unknown) => (typeof v === 'string' && v.startsWith('\u0000') ? Number(v.slice(1)) : v));
}
