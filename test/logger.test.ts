// Tokens and secrets never reach a log line: redaction paths for objects, and a
// final mask over the finished line for whatever the paths cannot see.

import { describe, expect, it } from 'vitest';
import type { pino } from 'pino';
import { boltLogger, configSecrets, createLogger, secretMask } from '../src/logger.js';

const BOT_TOKEN = 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx';
const APP_TOKEN = 'xapp-1-A0123456789-1234567890123-0123456789abcdef';
const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const SIGNATURE = `v0=${'a1b2c3d4'.repeat(8)}`;

function capture(secrets?: string[], level = 'trace'): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const destination = { write: (line: string) => void lines.push(line) } as pino.DestinationStream;
  return { lines, logger: createLogger(level, destination, secrets ? { secrets } : {}) };
}

/** An error shaped like an HTTP client's, carrying the request it made. */
function requestError(): Error {
  return Object.assign(new Error('Request failed with status code 500'), {
    config: { url: 'https://slack.com/api/chat.postMessage', headers: { Authorization: `Bearer ${BOT_TOKEN}` }, data: `token=${BOT_TOKEN}` },
    request: { headers: { authorization: `Bearer ${BOT_TOKEN}`, 'x-slack-signature': SIGNATURE } },
  });
}

/** Ways a secret can be handed to a logger. */
const LEAKS: Array<[string, (logger: ReturnType<typeof createLogger>) => void]> = [
  ['the config object', (l) => l.info({ config: { botToken: BOT_TOKEN, appToken: APP_TOKEN, signingSecret: SIGNING_SECRET } }, 'config')],
  ['top-level fields', (l) => l.info({ token: BOT_TOKEN, signingSecret: SIGNING_SECRET }, 'fields')],
  ['request headers', (l) => l.warn({ headers: { authorization: `Bearer ${BOT_TOKEN}`, 'x-slack-signature': SIGNATURE } }, 'headers')],
  ['an error carrying its request config', (l) => l.error({ err: requestError() }, 'call failed')],
  ['an error passed on its own', (l) => l.error(requestError())],
  ['Bolt context on an error', (l) => l.error({ err: Object.assign(new Error('x'), { context: { botToken: BOT_TOKEN, botUserId: 'U1' } }) }, 'listener')],
  ['a token deep in an object', (l) => l.debug({ a: { b: { c: { d: { e: { token: BOT_TOKEN, secret: SIGNING_SECRET } } } } } }, 'deep')],
  ['a token inside the message', (l) => l.debug(`http request body: {"token":"${BOT_TOKEN}","channel":"C1"}`)],
  ['a secret inside the message', (l) => l.debug(`signing with ${SIGNING_SECRET}`)],
  ['a signature inside the message', (l) => l.debug(`x-slack-signature: ${SIGNATURE}`)],
  ['an error message naming a token', (l) => l.error({ err: new Error(`invalid token ${APP_TOKEN}`) }, 'socket mode')],
  ['a child logger', (l) => l.child({ component: 'x' }).info({ token: BOT_TOKEN }, `and ${SIGNING_SECRET}`)],
];

describe('createLogger with the configured secrets', () => {
  it.each(LEAKS)('masks %s', (_name, leak) => {
    const { lines, logger } = capture([BOT_TOKEN, APP_TOKEN, SIGNING_SECRET]);
    leak(logger);
    expect(lines).toHaveLength(1);
    const [line = ''] = lines;
    expect(() => JSON.parse(line) as unknown).not.toThrow();
    for (const secret of [BOT_TOKEN, APP_TOKEN, SIGNING_SECRET, SIGNATURE, SIGNATURE.slice(3)]) expect(line).not.toContain(secret);
    expect(line).toContain('[redacted]');
  });

  it('masks them in what Bolt and the Web API client log through it', () => {
    const { lines, logger } = capture([BOT_TOKEN, SIGNING_SECRET]);
    const bolt = boltLogger(logger);
    bolt.debug(`http request headers: ${JSON.stringify({ Authorization: `Bearer ${BOT_TOKEN}` })}`);
    bolt.error('Slack API error: invalid_auth', requestError());
    bolt.warn({ signingSecret: SIGNING_SECRET, nested: { token: BOT_TOKEN } });
    expect(lines).toHaveLength(3);
    expect(lines.join('\n')).not.toMatch(new RegExp(`${BOT_TOKEN}|${SIGNING_SECRET}`));
  });

  it('masks a secret as JSON escapes it', () => {
    const awkward = 'se"cret\\with\nodd chars';
    const { lines, logger } = capture([awkward]);
    logger.info({ value: awkward }, `message ${awkward}`);
    expect(lines[0]).not.toContain(JSON.stringify(awkward).slice(1, -1));
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ value: '[redacted]', msg: 'message [redacted]' });
  });

  it('keeps the rest of the line as it was', () => {
    const { lines, logger } = capture([SIGNING_SECRET]);
    logger.info({ incident: 7, channel: 'C0123', text: 'tokens of appreciation' }, 'incident declared');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ incident: 7, channel: 'C0123', text: 'tokens of appreciation', msg: 'incident declared' });
  });
});

describe('createLogger without the secrets', () => {
  it.each(LEAKS.filter(([name]) => !name.includes('secret inside')))('still masks tokens and signatures in %s', (_name, leak) => {
    const { lines, logger } = capture();
    leak(logger);
    const [line = ''] = lines;
    for (const token of [BOT_TOKEN, APP_TOKEN, SIGNATURE.slice(3)]) expect(line).not.toContain(token);
  });

  it('redacts a signing secret under any of its key names', () => {
    const { lines, logger } = capture();
    logger.info({ signingSecret: SIGNING_SECRET, config: { signingSecret: SIGNING_SECRET }, err: { config: { signingSecret: SIGNING_SECRET } } }, 'x');
    expect(lines[0]).not.toContain(SIGNING_SECRET);
  });
});

describe('secretMask', () => {
  it.each([
    ['xoxb-1-2-abc', '[redacted]'],
    ['Bearer xoxp-123-456-789-abcdef', 'Bearer [redacted]'],
    ['xoxe.xoxb-1-MS0yLTIyMw', '[redacted]'],
    ['xapp-1-A1-1-ff', '[redacted]'],
    ['a xoxbox b', 'a xoxbox b'],
    ['ordinary text', 'ordinary text'],
  ])('%s → %s', (line, masked) => {
    expect(secretMask()(line)).toBe(masked);
  });

  it('ignores secrets too short to mask without blanking ordinary words', () => {
    expect(secretMask(['abc', '', null, undefined])('abc def')).toBe('abc def');
  });

  it('takes the secrets from the config', () => {
    expect(configSecrets({ botToken: BOT_TOKEN, appToken: null, signingSecret: SIGNING_SECRET, databaseUrl: null })).toEqual([BOT_TOKEN, SIGNING_SECRET]);
  });

  it('masks the password of DATABASE_URL, as written and as the URL decodes it', () => {
    const secrets = configSecrets({ botToken: BOT_TOKEN, appToken: null, signingSecret: SIGNING_SECRET, databaseUrl: 'postgres://sitrep:s3cr%40t-pw@db:5432/sitrep' });
    expect(secrets).toContain('s3cr@t-pw');
    expect(secretMask(secrets)('connecting as sitrep with s3cr@t-pw')).not.toContain('s3cr@t-pw');
  });
});
