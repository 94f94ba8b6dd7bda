// The request guard, request by request: what it lets through to Bolt and what
// it refuses before the body is read.

import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkRequest, DEFAULT_GUARD_POLICY, guardRequests, requestPath, type GuardedRequest, type GuardOptions } from '../../src/http/guard.js';
import { BodyBudget, declaredBodyBytes, HTTP_SERVER_OPTIONS, limitServer, MAX_CONNECTIONS, REQUEST_TIMEOUT_MS } from '../../src/http/limits.js';
import { sendHeadOnly } from '../support/raw-http.js';

const NOW_MS = Date.parse('2024-07-01T14:00:00.250Z');
const NOW = Math.floor(NOW_MS / 1000);
const PATHS = ['/slack/events'];
const SIGNATURE = `v0=${'ab12'.repeat(16)}`;

function signed(timestamp: number | string, extra: Record<string, string> = {}): GuardedRequest {
  return {
    method: 'POST',
    path: '/slack/events',
    headers: {
      'content-type': 'application/json',
      'content-length': '120',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': SIGNATURE,
      ...extra,
    },
  };
}

function without(request: GuardedRequest, ...names: string[]): GuardedRequest {
  const headers = { ...request.headers };
  for (const name of names) delete headers[name];
  return { ...request, headers };
}

describe('checkRequest', () => {
  const limit = DEFAULT_GUARD_POLICY.bodyLimitBytes;
  it.each<[string, GuardedRequest, { status: number; close: boolean } | 'allow']>([
    ['a request signed now', signed(NOW), 'allow'],
    ['one signed five minutes ago to the second', signed(NOW - 300), 'allow'],
    ['one signed five minutes ahead (clock skew, Slack\'s allowance)', signed(NOW + 300), 'allow'],
    ['one signed five minutes and a second ago', signed(NOW - 301), { status: 401, close: false }],
    ['one dated 301 s in the future', signed(NOW + 301), { status: 401, close: false }],
    ['one dated a day in the future', signed(NOW + 86_400), { status: 401, close: false }],
    ['one dated at the epoch', signed(0), { status: 401, close: false }],
    ['a negative timestamp', signed(-5), { status: 401, close: false }],
    ['a timestamp in milliseconds', signed(NOW_MS), { status: 401, close: false }],
    ['a fractional timestamp', signed(`${NOW}.5`), { status: 401, close: false }],
    ['a timestamp that is not a number', signed('soon'), { status: 401, close: false }],
    ['two timestamps (joined by Node)', signed(`${NOW}, ${NOW}`), { status: 401, close: false }],
    ['a huge timestamp', signed('9'.repeat(40)), { status: 401, close: false }],
    ['a signature without its version', signed(NOW, { 'x-slack-signature': 'ab12'.repeat(16) }), { status: 401, close: false }],
    ['a signature of another version', signed(NOW, { 'x-slack-signature': `v1=${'ab12'.repeat(16)}` }), { status: 401, close: false }],
    ['a short signature', signed(NOW, { 'x-slack-signature': 'v0=abc' }), { status: 401, close: false }],
    ['a timestamp without a signature', without(signed(NOW), 'x-slack-signature'), { status: 401, close: false }],
    ['a signature without a timestamp', without(signed(NOW), 'x-slack-request-timestamp'), { status: 401, close: false }],
    ['neither signing header (Bolt refuses it, or answers ssl_check)', without(signed(NOW), 'x-slack-signature', 'x-slack-request-timestamp'), 'allow'],
    ['a body at the limit', signed(NOW, { 'content-length': String(limit) }), 'allow'],
    ['a body a byte over the limit', signed(NOW, { 'content-length': String(limit + 1) }), { status: 413, close: true }],
    ['a body of a gigabyte, unsigned', without(signed(NOW, { 'content-length': String(2 ** 30) }), 'x-slack-signature'), { status: 413, close: true }],
    ['an oversized body that is also stale', signed(NOW - 3600, { 'content-length': String(limit * 4) }), { status: 413, close: true }],
    ['a content-length that is not a number', signed(NOW, { 'content-length': '12abc' }), { status: 400, close: true }],
    ['a chunked body, signed now (Bolt caps it as it reads)', without(signed(NOW, { 'transfer-encoding': 'chunked' }), 'content-length'), 'allow'],
    ['a chunked body dated in the future', without(signed(NOW + 3600, { 'transfer-encoding': 'chunked' }), 'content-length'), { status: 401, close: true }],
    ['a GET of the events path', { ...signed(NOW + 3600), method: 'GET' }, 'allow'],
    ['a POST elsewhere (Bolt answers 404)', { ...signed(NOW + 3600), path: '/other' }, 'allow'],
    ['GET /healthz', { method: 'GET', path: '/healthz', headers: {} }, 'allow'],
    ['a lower-case method', { ...signed(NOW - 900), method: 'post' }, { status: 401, close: false }],
  ])('%s', (_name, request, expected) => {
    const verdict = checkRequest(request, NOW_MS, PATHS);
    if (expected === 'allow') {
      expect(verdict).toEqual({ allow: true });
    } else {
      expect(verdict).toMatchObject({ allow: false, status: expected.status, closeConnection: expected.close, reason: expect.any(String) });
    }
  });

  it('says why, without echoing the signature', () => {
    const stale = checkRequest(signed(NOW - 301), NOW_MS, PATHS);
    const future = checkRequest(signed(NOW + 301), NOW_MS, PATHS);
    expect(stale).toMatchObject({ reason: expect.stringMatching(/stale/) });
    expect(future).toMatchObject({ reason: expect.stringMatching(/future/) });
    expect(JSON.stringify([stale, future])).not.toContain(SIGNATURE.slice(3));
  });

  it('follows the policy it is given', () => {
    const policy = { maxAgeSeconds: 10, maxFutureSeconds: 0, bodyLimitBytes: 100 };
    const small = { 'content-length': '50' };
    expect(checkRequest(signed(NOW - 10, small), NOW_MS, PATHS, policy)).toEqual({ allow: true });
    expect(checkRequest(signed(NOW - 11, small), NOW_MS, PATHS, policy)).toMatchObject({ status: 401 });
    expect(checkRequest(signed(NOW + 1, small), NOW_MS, PATHS, policy)).toMatchObject({ status: 401 });
    expect(checkRequest(signed(NOW, { 'content-length': '101' }), NOW_MS, PATHS, policy)).toMatchObject({ status: 413 });
    expect(checkRequest(signed(NOW, { 'content-length': '100' }), NOW_MS, PATHS, policy)).toEqual({ allow: true });
  });
});

describe('requestPath', () => {
  it.each([
    ['/slack/events', '/slack/events'],
    ['/slack/events?x=1', '/slack/events'],
    ['/slack/events#frag', '/slack/events'],
    [undefined, '/'],
  ])('%s is %s', (url, path) => {
    expect(requestPath(url)).toBe(path);
  });
});

describe('guardRequests on a server', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server?.closeAllConnections();
    server = undefined;
  });

  /** A server whose inner listener records what reached it and reads the body. */
  async function start(
    extra: Partial<GuardOptions> = {},
  ): Promise<{ port: number; reached: string[]; warnings: object[]; reaching(count: number): Promise<void> }> {
    const reached: string[] = [];
    const warnings: object[] = [];
    const waiters: Array<() => void> = [];
    const inner = (req: IncomingMessage, res: import('node:http').ServerResponse): void => {
      reached.push(`${req.method} ${req.url}`);
      for (const waiter of waiters.splice(0)) waiter();
      req.resume();
      req.on('end', () => res.end('inner'));
    };
    server = createServer(
      guardRequests(inner, { paths: PATHS, now: () => NOW_MS, logger: { warn: (details) => warnings.push(details) }, ...extra }),
    );
    const reaching = (count: number): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => {
          if (reached.length >= count) resolve();
          else waiters.push(check);
        };
        check();
      });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as AddressInfo).port, reached, warnings, reaching };
  }

  /** Sends only the head of a request (no body) and resolves with the answer. */
  function head(port: number, headers: Record<string, string>): Promise<{ status: number; connection: string | undefined }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/slack/events', headers });
      req.on('response', (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders();
    });
  }

  it('answers 413 to a declared oversized body before any of it is sent, and closes the connection', async () => {
    const { port, reached, warnings } = await start();
    const answer = await head(port, {
      'content-type': 'application/json',
      'content-length': String(DEFAULT_GUARD_POLICY.bodyLimitBytes + 1),
      'x-slack-request-timestamp': String(NOW),
      'x-slack-signature': SIGNATURE,
    });
    expect(answer).toEqual({ status: 413, connection: 'close' });
    expect(reached).toEqual([]);
    expect(warnings).toEqual([expect.objectContaining({ status: 413, path: '/slack/events' })]);
    expect(JSON.stringify(warnings)).not.toContain(SIGNATURE);
  });

  it('answers 401 to a future-dated request before reading its body', async () => {
    const { port, reached } = await start();
    const answer = await head(port, {
      'content-type': 'application/json',
      'content-length': '50',
      'x-slack-request-timestamp': String(NOW + 3600),
      'x-slack-signature': SIGNATURE,
    });
    expect(answer.status).toBe(401);
    expect(reached).toEqual([]);
  });

  it('closes the connection after answering a body of unknown length, and keeps it open otherwise', async () => {
    const { port } = await start();
    const headers = { 'x-slack-request-timestamp': String(NOW), 'x-slack-signature': SIGNATURE };
    const answer = (chunked: boolean) =>
      new Promise<string | undefined>((resolve, reject) => {
        const req = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/slack/events', headers: chunked ? { ...headers, 'transfer-encoding': 'chunked' } : { ...headers, 'content-length': '2' } });
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve(res.headers.connection));
        });
        req.on('error', reject);
        req.end('{}');
      });
    expect(await answer(true)).toBe('close');
    expect(await answer(false)).not.toBe('close');
  });

  it('passes a well-dated request and other routes through to the inner listener', async () => {
    const { port, reached } = await start();
    const ok = await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      headers: { 'x-slack-request-timestamp': String(NOW), 'x-slack-signature': SIGNATURE },
      body: '{}',
    });
    expect([ok.status, await ok.text()]).toEqual([200, 'inner']);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await health.text()).toBe('inner');
    expect(reached).toEqual(['POST /slack/events', 'GET /healthz']);
  });

  /** Resolves once `condition` holds, checked as the event loop turns. */
  function until(condition: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => (condition() ? resolve() : void setTimeout(check, 1));
      check();
    });
  }

  const signedHeaders = { 'x-slack-request-timestamp': String(NOW), 'x-slack-signature': SIGNATURE };

  /** A request whose body stops after its first bytes: it holds what it declared. */
  function holdOpen(port: number, length: number): ReturnType<typeof httpRequest> {
    const req = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/slack/events', headers: { ...signedHeaders, 'content-length': String(length) } });
    req.on('error', () => {});
    req.write('{"type":');
    return req;
  }

  it('answers 503 at once, unread, to a body the budget has no room for, and still takes small ones', async () => {
    const budget = new BodyBudget({ smallBodyBytes: 64, smallPoolBytes: 1024, largePoolBytes: 1000 });
    const { port, reached, warnings, reaching } = await start({ budget });
    const holder = holdOpen(port, 1000);
    await reaching(1);
    expect(budget.inUse).toEqual({ small: 0, large: 1000 });

    const refused = await sendHeadOnly(`http://127.0.0.1:${port}/slack/events`, { ...signedHeaders, 'content-length': '500' });
    expect(refused).toMatchObject({ status: 503, answeredBeforeBodyEnded: true });
    expect(refused.headers).toMatchObject({ connection: 'close', 'retry-after': String(REQUEST_TIMEOUT_MS / 1000) });
    const chunked = await sendHeadOnly(`http://127.0.0.1:${port}/slack/events`, { ...signedHeaders, 'transfer-encoding': 'chunked' });
    expect(chunked.status).toBe(503);
    expect(reached).toHaveLength(1);
    expect(warnings).toEqual([expect.objectContaining({ status: 503 }), expect.objectContaining({ status: 503 })]);
    expect(JSON.stringify(warnings)).not.toContain(SIGNATURE);

    // Small bodies have a pool of their own.
    const small = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers: signedHeaders, body: '{"type":"event_callback"}' });
    expect([small.status, await small.text()]).toEqual([200, 'inner']);

    // The holder goes away: what it held is given back, and the next big body is read.
    holder.destroy();
    await until(() => budget.inUse.large === 0);
    const big = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers: signedHeaders, body: 'x'.repeat(1000) });
    expect([big.status, await big.text()]).toEqual([200, 'inner']);
    await until(() => budget.inUse.large === 0 && budget.inUse.small === 0);
  });

  it('gives back what pipelined requests held when their connection closes unanswered', async () => {
    const budget = new BodyBudget({ smallBodyBytes: 0, smallPoolBytes: 0, largePoolBytes: 100 });
    // An inner listener that never answers: the second request's response waits behind the first.
    server = createServer(guardRequests(() => {}, { paths: PATHS, now: () => NOW_MS, budget }));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    socket.on('error', () => {});
    const one = `POST /slack/events HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\nx-slack-request-timestamp: ${NOW}\r\nx-slack-signature: ${SIGNATURE}\r\n\r\n{"a":"bc"}`;
    socket.write(one + one);
    await until(() => budget.inUse.large === 20);
    socket.destroy();
    await until(() => budget.inUse.large === 0);
  });

  it('reserves only for the requests Bolt reads a body of', async () => {
    const budget = new BodyBudget({ smallBodyBytes: 1, smallPoolBytes: 1, largePoolBytes: 1 });
    const { port, reached } = await start({ budget });
    // Refused by the guard itself (stale), elsewhere, and a GET: none of them touch the budget.
    const stale = await sendHeadOnly(`http://127.0.0.1:${port}/slack/events`, { ...signedHeaders, 'x-slack-request-timestamp': String(NOW - 3600), 'content-length': '100' });
    expect(stale.status).toBe(401);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const other = await fetch(`http://127.0.0.1:${port}/other`, { method: 'POST', body: 'x'.repeat(100) });
    expect(other.status).toBe(200);
    expect(reached).toEqual(['GET /healthz', 'POST /other']);
    expect(budget.inUse).toEqual({ small: 0, large: 0 });
  });
});

describe('BodyBudget', () => {
  const policy = { smallBodyBytes: 10, smallPoolBytes: 20, largePoolBytes: 100 };

  it('counts small bodies in their own pool, then in the large one once theirs is full', () => {
    const budget = new BodyBudget(policy);
    const first = budget.reserve(10);
    const second = budget.reserve(10);
    expect(budget.inUse).toEqual({ small: 20, large: 0 });
    const third = budget.reserve(5);
    expect(budget.inUse).toEqual({ small: 20, large: 5 });
    for (const release of [first, second, third]) release?.();
    expect(budget.inUse).toEqual({ small: 0, large: 0 });
  });

  it('refuses what does not fit, and large bodies never take from the small pool', () => {
    const budget = new BodyBudget(policy);
    const big = budget.reserve(100);
    expect(big).not.toBeNull();
    expect(budget.reserve(11)).toBeNull();
    expect(budget.reserve(10)).not.toBeNull();
    expect(budget.inUse).toEqual({ small: 10, large: 100 });
    expect(new BodyBudget(policy).reserve(101)).toBeNull();
  });

  it('gives a reservation back once, however often it is released', () => {
    const budget = new BodyBudget(policy);
    const a = budget.reserve(60)!;
    const b = budget.reserve(40)!;
    a();
    a();
    expect(budget.inUse).toEqual({ small: 0, large: 40 });
    b();
    expect(budget.inUse).toEqual({ small: 0, large: 0 });
  });
});

describe('declaredBodyBytes', () => {
  it.each([
    ['a declared length', { 'content-length': '1234' }, 1234],
    ['a chunked body (counted at the limit)', { 'transfer-encoding': 'chunked' }, 4096],
    ['neither (no body)', {}, 0],
    ['a declared length over the limit (refused before; capped here)', { 'content-length': '999999' }, 4096],
  ])('%s', (_name, headers, bytes) => {
    expect(declaredBodyBytes(headers, 4096)).toBe(bytes);
  });
});

describe('the server limits', () => {
  it('time requests out within seconds, checked every second, and count connections', () => {
    expect(HTTP_SERVER_OPTIONS).toMatchObject({ headersTimeout: REQUEST_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 1000 });
    const plain = createServer();
    limitServer(plain);
    expect([plain.headersTimeout, plain.requestTimeout, plain.maxConnections]).toEqual([REQUEST_TIMEOUT_MS, REQUEST_TIMEOUT_MS, MAX_CONNECTIONS]);
    plain.close();
  });
});
