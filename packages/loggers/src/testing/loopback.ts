// A tiny HTTP harness for loopback test servers of remote loggers: routing is the server's job,
// this adds request logging and fault injection (answer with a status, hang, or process the
// request and drop the answer).
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { Socket } from 'node:net';

/** An answer of a loopback server. */
export interface Reply {
  status: number;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

/** A request as a loopback server received it, body read whole. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** One line of a loopback server's request log. */
export interface LoggedRequest {
  method: string;
  /** The path without its query. */
  path: string;
  status: number | 'hang' | 'dropped';
  /** Why the server refused it (for 4xx answers from the routes). */
  reason?: string;
}

/** A fault to inject: a reply instead of the route's; `hang`: never answer; `drop`: process the request, then cut the connection instead of answering. */
export type Fault = Reply | 'hang' | 'drop' | undefined;

/**
 * An HTTP server on 127.0.0.1 for tests of remote loggers. `route` answers each request (its
 * `reason` is logged for refusals); `fault` may replace the answer per request; `log` and
 * `bodies` record everything. `close()` also ends hanging requests.
 * @example
 * const lb = await new Loopback(() => ({ status: 200, body: '{}' })).listen();
 * lb.fault = (r) => (r.path === '/flaky' ? { status: 503 } : undefined);
 * await fetch(`${lb.url}/flaky`); // 503, logged in lb.log
 * await lb.close();
 */
export class Loopback {
  /** `http://127.0.0.1:<port>` once listening. */
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

  /** Listens on 127.0.0.1:`port` (0: any free port). */
  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => resolve());
    });
    const addr = this.#server.address();
    this.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}`;
    return this;
  }

  /** Stops listening and destroys every open connection. */
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

/**
 * A port that nothing listens on right now (for "server down for the whole run", then a server started on it).
 * @example const url = `http://127.0.0.1:${await freePort()}`; // connections are refused
 */
export async function freePort(): Promise<number> {
  const lb = await new Loopback(() => ({ status: 200 })).listen();
  const port = Number(new URL(lb.url).port);
  await lb.close();
  return port;
}
