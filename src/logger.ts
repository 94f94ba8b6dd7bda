// One pino logger for sitrep and for Bolt, so every line is JSON and secrets
// are redacted in one place.

import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths under which a token or secret could appear in a logged object. */
const REDACT = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'config.botToken',
  'config.appToken',
  'config.signingSecret',
  'headers.authorization',
  'headers["x-slack-signature"]',
  '*.token',
  '*.headers.authorization',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { app: 'sitrep' },
    redact: { paths: REDACT, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
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
