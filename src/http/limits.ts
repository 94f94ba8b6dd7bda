// What requests nobody has verified yet may hold of the process. Bolt checks a
// request's signature only once it has read the whole body, so until then a
// request is anyone's: without limits, a few hundred connections each sending
// a body just under the 4 MB limit (and never its last byte) hold a gigabyte
// and keep it for as long as Node lets a request take (300 s by default).
//
// Three bounds, together:
//   - bytes: every POST that Bolt is going to read reserves its body, as
//     declared (Content-Length; a chunked body counts as the body limit),
//     before a byte of it is read, and gives it back once its answer is sent or
//     its connection closes. A request that does not fit is answered 503 at
//     once (Connection: close, Retry-After), unread. Small bodies (Slack's
//     events, commands and actions are a few KB) have a pool of their own,
//     so big ones, whoever sends them, never crowd them out.
//   - time: headers must arrive within 10 s, and the whole request (headers
//     and body, not the work done for it) within 10 s of its start; Node answers
//     408 and closes the connection otherwise.
//   - connections: at most 512 at once; further ones are closed as they come.
//
// The figures:
//   - Slack sends each request in one go and waits 3 s for the answer, so a
//     request still arriving after 10 s is not Slack's, and is cut.
//   - A small body is at most 64 KB. The small pool holds 32 MB: 512 of them at
//     their largest, as many as there can be connections, so it cannot run out
//     before the connection limit does.
//   - The large pool holds 16 MB: four bodies at the 4 MB limit at once. Slack's
//     large deliveries (edits of very long messages) are rare; one that finds
//     the pool full is answered 503 and Slack delivers it again later.
//   - Together the pools bound unverified bodies to 48 MB, and headers add at
//     most 16 KB (Node's limit) a connection, 8 MB over 512.

import type { IncomingHttpHeaders, Server, ServerOptions } from 'node:http';

export interface BudgetPolicy {
  /** A body declared at most this large is small, and is counted against the small pool first. */
  smallBodyBytes: number;
  /** What small bodies may hold at once. */
  smallPoolBytes: number;
  /** What other bodies (and small ones, once the small pool is full) may hold at once. */
  largePoolBytes: number;
}

export const DEFAULT_BUDGET_POLICY: Readonly<BudgetPolicy> = Object.freeze({
  smallBodyBytes: 64 * 1024,
  smallPoolBytes: 32 * 1024 * 1024,
  largePoolBytes: 16 * 1024 * 1024,
});

/** Gives a reservation back; calling it again does nothing. */
export type Release = () => void;

/** Bytes in flight for requests whose bodies are being read, in two pools. */
export class BodyBudget {
  private small = 0;
  private large = 0;

  constructor(readonly policy: Readonly<BudgetPolicy> = DEFAULT_BUDGET_POLICY) {}

  /** Bytes reserved now, in each pool. */
  get inUse(): { small: number; large: number } {
    return { small: this.small, large: this.large };
  }

  /** Reserves `bytes`, or returns null when neither pool it may use has room. */
  reserve(bytes: number): Release | null {
    if (bytes <= this.policy.smallBodyBytes && this.small + bytes <= this.policy.smallPoolBytes) {
      this.small += bytes;
      return this.releaser(() => (this.small -= bytes));
    }
    if (this.large + bytes <= this.policy.largePoolBytes) {
      this.large += bytes;
      return this.releaser(() => (this.large -= bytes));
    }
    return null;
  }

  private releaser(give: () => void): Release {
    let given = false;
    return () => {
      if (given) return;
      given = true;
      give();
    };
  }
}

/**
 * What reading a request's body may cost: its declared Content-Length; the body limit
 * when it is chunked (its length unknown until Bolt has read it, and Bolt stops at the
 * limit); nothing when it has neither header (HTTP/1.1 then has no body).
 */
export function declaredBodyBytes(headers: IncomingHttpHeaders, bodyLimitBytes: number): number {
  const length = headers['content-length'];
  if (length !== undefined) return Math.min(Number(length), bodyLimitBytes);
  return headers['transfer-encoding'] !== undefined ? bodyLimitBytes : 0;
}

/** How long a request may take to arrive: its headers, then all of it. */
export const REQUEST_TIMEOUT_MS = 10_000;
export const MAX_CONNECTIONS = 512;

/**
 * Options for creating the HTTP server. Node enforces the two timeouts only when it
 * checks its connections, every 30 s by default; every second here, so a stalled
 * request is cut within 11 s.
 */
export const HTTP_SERVER_OPTIONS: Readonly<ServerOptions> = Object.freeze({
  headersTimeout: REQUEST_TIMEOUT_MS,
  requestTimeout: REQUEST_TIMEOUT_MS,
  connectionsCheckingInterval: 1000,
});

/**
 * The limits a server can take once created: the timeouts (again, for a server created
 * without HTTP_SERVER_OPTIONS; they are then checked every 30 s) and the connection limit.
 */
export function limitServer(server: Server): void {
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.maxConnections = MAX_CONNECTIONS;
}
