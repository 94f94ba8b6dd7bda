// The request guard, request by request: what it lets through to Bolt and what
// it refuses before the body is read.

import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkRequest, DEFAULT_GUARD_POLICY, guardRequests, requestPath, type GuardedRequest } from '../../src/http/guard.js';

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
  async function start(): Promise<{ port: number; reached: string[]; warnings: object[] }> {
    const reached: string[] = [];
    const warnings: object[] = [];
    const inner = (req: IncomingMessage, res: import('node:http').ServerResponse): void => {
      reached.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => res.end('inner'));
    };
    server = createServer(
      guardRequests(inner, { paths: PATHS, now: () => NOW_MS, logger: { warn: (details) => warnings.push(details) } }),
    );
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as AddressInfo).port, reached, warnings };
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
});
