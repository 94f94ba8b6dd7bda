// A guard in front of Bolt's HTTP request listener. Bolt verifies the
// signature and refuses requests older than five minutes, but only after it
// has read the whole body, and it takes a request dated in the future as
// fresh. The guard looks at the request line and headers alone, before a byte
// of the body is read, and refuses:
//   - a body declared (Content-Length) larger than the limit: 413;
//   - a signed request dated more than five minutes ago or more than five minutes
//     ahead of this machine's clock (Slack's guidance, either way), or with a malformed timestamp or
//     signature, or with only one of the two signing headers: 401.
// Everything else goes on to Bolt, which still checks the signature and caps
// a body sent without a Content-Length (chunked) at the same limit while it
// reads it (HTTPReceiver's `bodyLimit`), answering 413 once the limit is passed.
// Such a request's connection is closed after its answer, so a body cut off
// at the limit is neither drained nor left hanging half-read.
//
// A request with neither signing header is left to Bolt too: it refuses it
// with 401, except Slack's unsigned `ssl_check=1` probe, which it answers
// without dispatching anything.
//
// What passes the guard and goes on to Bolt reserves its body against a budget
// of bytes in flight (src/http/limits.ts) before Bolt reads any of it, and
// gives it back once it is answered or its connection closes; a request that
// does not fit is answered 503 at once, unread, and its connection closed.
//
// Socket Mode has no HTTP requests to guard: Slack's payloads arrive over a
// WebSocket the app opened with its app-level token, and Bolt's Socket Mode
// receiver only serves `/healthz` over HTTP.

import type { IncomingHttpHeaders, IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { BodyBudget, declaredBodyBytes, REQUEST_TIMEOUT_MS } from './limits.js';

export interface GuardPolicy {
  /** A request dated more than this many seconds ago is stale (Slack's rule: five minutes). */
  maxAgeSeconds: number;
  /** A request dated more than this many seconds ahead of our clock is refused (clock skew allowance). */
  maxFutureSeconds: number;
  /** Bodies over this many bytes are refused. */
  bodyLimitBytes: number;
}

export const DEFAULT_GUARD_POLICY: Readonly<GuardPolicy> = Object.freeze({
  maxAgeSeconds: 5 * 60,
  // Slack's guidance: accept five minutes either way, so a host a minute or two slow still serves.
  maxFutureSeconds: 5 * 60,
  // Bolt's own default. Slack's largest deliveries stay below it: an edit of a 40,000-character
  // message carries the text four times (message and previous message, each as text and as
  // rich-text blocks), up to 12 bytes a character when Slack escapes emoji as \uXXXX pairs.
  bodyLimitBytes: 4 * 1024 * 1024,
});

export interface GuardedRequest {
  method: string | undefined;
  /** The path without the query string. */
  path: string;
  headers: IncomingHttpHeaders;
}

export type GuardVerdict =
  | { allow: true }
  | {
      allow: false;
      status: 400 | 401 | 413;
      reason: string;
      /**
       * Close the connection after answering instead of reading (and discarding)
       * the rest of the body: when the body is over the limit, or of unknown length.
       */
      closeConnection: boolean;
    };

const ALLOW: GuardVerdict = { allow: true };
const DIGITS = /^\d+$/;
/** Epoch seconds; 12 digits reach the year 33658, so anything longer is not a timestamp. */
const TIMESTAMP = /^\d{1,12}$/;
/** Slack's signature scheme v0: hex HMAC-SHA256. */
const SIGNATURE = /^v0=[0-9a-f]{64}$/;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  // Node joins repeated custom headers with ", "; an array only comes for set-cookie.
  return Array.isArray(value) ? value.join(', ') : value;
}

function isGuarded(method: string | undefined, path: string, paths: readonly string[]): boolean {
  return (method ?? '').toUpperCase() === 'POST' && paths.includes(path);
}

/**
 * What to do with a request, from its method, path and headers alone (pure; `nowMs`
 * is the caller's wall clock). Only POSTs to `paths` are checked; anything else
 * is allowed through for the receiver's own routing.
 */
export function checkRequest(
  request: GuardedRequest,
  nowMs: number,
  paths: readonly string[],
  policy: Readonly<GuardPolicy> = DEFAULT_GUARD_POLICY,
): GuardVerdict {
  if (!isGuarded(request.method, request.path, paths)) return ALLOW;

  const length = header(request.headers, 'content-length');
  if (length !== undefined) {
    if (!DIGITS.test(length)) return { allow: false, status: 400, reason: 'malformed content-length', closeConnection: true };
    if (Number(length) > policy.bodyLimitBytes) {
      return { allow: false, status: 413, reason: `body of ${length} bytes is over the ${policy.bodyLimitBytes}-byte limit`, closeConnection: true };
    }
  }
  // A refused body of known, bounded length is drained so the connection can be reused; one of unknown length is not.
  const refuse = (reason: string): GuardVerdict => ({ allow: false, status: 401, reason, closeConnection: length === undefined });

  const timestamp = header(request.headers, 'x-slack-request-timestamp');
  const signature = header(request.headers, 'x-slack-signature');
  if (timestamp === undefined && signature === undefined) return ALLOW;
  if (timestamp === undefined || signature === undefined) return refuse('only one of the two signing headers');
  if (!TIMESTAMP.test(timestamp.trim())) return refuse('malformed x-slack-request-timestamp');
  if (!SIGNATURE.test(signature.trim())) return refuse('malformed x-slack-signature');

  const nowSeconds = Math.floor(nowMs / 1000);
  const seconds = Number(timestamp.trim());
  if (nowSeconds - seconds > policy.maxAgeSeconds) return refuse(`stale: signed more than ${policy.maxAgeSeconds} s ago`);
  if (seconds - nowSeconds > policy.maxFutureSeconds) return refuse(`dated more than ${policy.maxFutureSeconds} s in the future`);
  return ALLOW;
}

/** The path as Bolt's HTTPReceiver routes it, so the guard checks exactly the requests Bolt would dispatch. */
export function requestPath(url: string | undefined): string | null {
  try {
    return new URL(url ?? '/', 'http://localhost').pathname;
  } catch {
    return null;
  }
}

export interface GuardOptions {
  /** The paths whose POSTs are Slack's signed requests (`/slack/events`). */
  paths: readonly string[];
  policy?: Readonly<GuardPolicy>;
  /** The wall clock: Slack signs with real time, whatever clock the services run on. */
  now?: () => number;
  /** Told of each refusal (never given the headers: they hold the signature). */
  logger?: { warn(details: object, message: string): void };
  /** The bytes that bodies being read may hold at once; by default a budget of this guard's own. */
  budget?: BodyBudget;
}

/** A request refused for want of room is told to come back once the requests holding it have had their time. */
const RETRY_AFTER_SECONDS = String(Math.ceil(REQUEST_TIMEOUT_MS / 1000));

/** Wraps a request listener (Bolt's `HTTPReceiver.requestListener`) with the guard. */
export function guardRequests(
  inner: RequestListener<typeof IncomingMessage, typeof ServerResponse>,
  options: GuardOptions,
): RequestListener<typeof IncomingMessage, typeof ServerResponse> {
  const now = options.now ?? Date.now;
  const policy = options.policy ?? DEFAULT_GUARD_POLICY;
  const budget = options.budget ?? new BodyBudget();
  return (req, res) => {
    const path = requestPath(req.url);
    // A URL Bolt cannot parse either is Bolt's to answer.
    if (path === null) return inner(req, res);
    const verdict = checkRequest({ method: req.method, path, headers: req.headers }, now(), options.paths, policy);
    if (verdict.allow) {
      if (!isGuarded(req.method, path, options.paths)) return inner(req, res);
      const bytes = declaredBodyBytes(req.headers, policy.bodyLimitBytes);
      const release = budget.reserve(bytes);
      if (!release) {
        // Not a byte of the body is read: the connection closes once the answer is out.
        options.logger?.warn(
          { status: 503, reason: `no room for a body of ${bytes} bytes among those being read`, method: req.method, path },
          'refused a request',
        );
        res.writeHead(503, { connection: 'close', 'retry-after': RETRY_AFTER_SECONDS });
        res.end();
        return;
      }
      // Answered, or its connection gone (cut by the request timeout, or by the client):
      // either way Bolt holds none of the body any more. (The socket's own close covers a
      // pipelined request whose response never got the socket.)
      const socket = req.socket;
      const done = (): void => {
        release();
        socket.off('close', done);
      };
      res.once('finish', done);
      res.once('close', done);
      socket.once('close', done);
      // A body of unknown length that Bolt cuts off at the limit must not leave the
      // connection open and paused mid-body: it closes once the answer is sent.
      if (req.headers['content-length'] === undefined) res.setHeader('connection', 'close');
      return inner(req, res);
    }
    options.logger?.warn({ status: verdict.status, reason: verdict.reason, method: req.method, path }, 'refused a request');
    res.writeHead(verdict.status, verdict.closeConnection ? { connection: 'close' } : {});
    res.end();
  };
}
