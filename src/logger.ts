// One pino logger for sitrep and for Bolt, so every line is JSON and secrets
// are redacted in one place.

import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

const CENSOR = '[redacted]';

/** Key names that hold a token or secret. */
const SECRET_KEYS = ['token', 'botToken', 'appToken', 'userToken', 'signingSecret', 'clientSecret', 'client_secret', 'response_url', 'respondUrl'];

/** Where a credential sits in the objects that get logged: a request's, or an HTTP client error's. */
const SECRET_HEADER_PATHS = ['headers', 'req.headers', 'request.headers', 'config.headers', 'err.config.headers', 'err.request.headers'].flatMap(
  (at) => [`${at}.authorization`, `${at}.Authorization`, `${at}["x-slack-signature"]`],
);

/**
 * Paths pino redacts: the secret keys at the top of a logged object, in a logged
 * config, Bolt context or error, and the credential headers of a request
 * (`Authorization`, `x-slack-signature`). Explicit paths only: wildcard paths
 * cost pino over ten times as much on every line. Anything else, at any depth,
 * is caught by the final mask, which sees the whole line.
 */
const REDACT = [
  ...['', 'config.', 'context.', 'err.', 'err.context.', 'err.config.', 'body.'].flatMap((at) => SECRET_KEYS.map((key) => `${at}${key}`)),
  ...SECRET_HEADER_PATHS,
];

/**
 * In the finished JSON line, at any depth: the string value of a key that names
 * a credential (`…token`, `…Token`, signing or client secret, `authorization`,
 * `x-slack-signature`, a response URL).
 */
const SECRET_VALUE =
  /"((?:[A-Za-z_]*[tT]oken)|(?:signing|client)_?[sS]ecret|[aA]uthorization|x-slack-signature|response_url|respondUrl)":"(?:[^"\\]|\\.)*"/g;

/**
 * Slack tokens by their shape (`xoxb-…`, `xoxp-…`, `xapp-…`, rotating `xoxe.xoxb-…`)
 * and request signatures (`v0=` and 64 hex digits), wherever they appear in a line.
 */
const TOKEN_SHAPE = /\bx(?:ox[a-z]|app)(?:\.x(?:ox[a-z]|app))?-[A-Za-z0-9-]+/g;
const SIGNATURE_SHAPE = /\bv0=[0-9a-fA-F]{64}\b/g;

/** Secrets shorter than this are not masked by value: they would blank out ordinary words. */
const MIN_SECRET_LENGTH = 8;

export interface LoggerOptions {
  /**
   * The configured secrets (bot token, app token, signing secret): any line that
   * contains one, however it got there, has it masked before it is written.
   */
  secrets?: ReadonlyArray<string | null | undefined>;
}

/** The configuration's secrets, for `createLogger`'s `secrets`. */
/** The password in a database URL: masked in logs like the tokens. */
function passwordOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return decodeURIComponent(new URL(url).password) || null;
  } catch {
    return null;
  }
}

export function configSecrets(config: Pick<Config, 'botToken' | 'appToken' | 'signingSecret' | 'databaseUrl'>): string[] {
  return [config.botToken, config.appToken, config.signingSecret, passwordOf(config.databaseUrl)].filter((value): value is string => Boolean(value));
}

/**
 * Masks, in a serialised line: the given secrets wherever they appear, the value
 * of any key that names a credential, and anything shaped like a Slack token or
 * request signature.
 */
export function secretMask(secrets: ReadonlyArray<string | null | undefined> = []): (line: string) => string {
  const exact = [
    ...new Set(
      secrets
        .filter((secret): secret is string => typeof secret === 'string' && secret.length >= MIN_SECRET_LENGTH)
        // As written in the line: JSON escapes quotes, backslashes and control characters.
        .flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)]),
    ),
  ].sort((a, b) => b.length - a.length);
  return (line) => {
    let masked = line;
    for (const secret of exact) if (masked.includes(secret)) masked = masked.split(secret).join(CENSOR);
    return masked
      .replace(SECRET_VALUE, (_match, key: string) => `"${key}":"${CENSOR}"`)
      .replace(TOKEN_SHAPE, CENSOR)
      .replace(SIGNATURE_SHAPE, CENSOR);
  };
}

export function createLogger(level: string, destination?: pino.DestinationStream, options: LoggerOptions = {}): Logger {
  const loggerOptions: pino.LoggerOptions = {
    level,
    base: { app: 'sitrep' },
    redact: { paths: REDACT, censor: CENSOR },
    // The last word: whatever the paths missed (a token inside a message string,
    // a secret nested deeper) is masked in the finished line.
    hooks: { streamWrite: secretMask(options.secrets) },
  };
  return destination ? pino(loggerOptions, destination) : pino(loggerOptions);
}

const BOLT_LEVELS: Readonly<Record<string, LogLevel>> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
  silent: LogLevel.ERROR,
};

/** Bolt logs through its own Logger interface; this forwards it to pino. */
export function boltLogger(logger: Logger): BoltLogger {
  let child = logger.child({ component: 'bolt' });
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...parts: unknown[]): void => {
      const errors = parts.filter((part): part is Error => part instanceof Error);
      const text = parts
        .filter((part) => !(part instanceof Error))
        .map((part) => (typeof part === 'string' ? part : JSON.stringify(part)))
        .join(' ');
      if (errors[0]) child[level]({ err: errors[0] }, text || errors[0].message);
      else child[level](text);
    };
  return {
    debug: forward('debug'),
    info: forward('info'),
    warn: forward('warn'),
    error: forward('error'),
    // The level is ours to set (LOG_LEVEL); Bolt asking to change it is ignored.
    setLevel: () => undefined,
    getLevel: () => BOLT_LEVELS[child.level] ?? LogLevel.INFO,
    setName: (name: string) => {
      child = logger.child({ component: name });
    },
  };
}
