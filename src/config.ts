// The environment, read once at start-up into a typed, validated Config.
// A missing or malformed variable stops start-up with one line naming it.

import { z } from 'zod';
import { DEFAULT_REACTIONS, parseReactionMap, type ReactionMap } from './domain/reactions.js';
import { canonicalTimeZone, isValidTimeZone } from './domain/time.js';

export type SlackMode = 'http' | 'socket';

export interface Config {
  mode: SlackMode;
  botToken: string;
  signingSecret: string | null;
  appToken: string | null;
  slackApiUrl: string | null;
  port: number;
  databasePath: string;
  /** PostgreSQL (postgres://…) instead of the SQLite file at databasePath, for several replicas. */
  databaseUrl: string | null;
  /** With several replicas: how long one's claim on a Slack job lasts before another may take it over. */
  outboxLeaseSeconds: number;
  timeZone: string;
  channelPrefix: string;
  announceChannel: string | null;
  updateReminderMinutes: number;
  logLevel: string;
  /** Emoji reaction to timeline category: the defaults, with INCIDENT_REACTIONS laid over them. */
  reactions: ReactionMap;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly variable: string, detail: string) {
    super(`${variable} ${detail}`);
  }
}

const optional = z
  .string()
  .transform((value) => value.trim())
  .optional()
  .transform((value) => (value ? value : undefined));

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const reminderMinutes = optional.pipe(z.coerce.number<string | undefined>().int().min(1).max(1440).default(30));

const schema = z.object({
  SLACK_BOT_TOKEN: optional.refine((v) => v === undefined || v.startsWith('xoxb-'), 'must be a bot token (xoxb-…)'),
  SLACK_SIGNING_SECRET: optional,
  SLACK_APP_TOKEN: optional.refine((v) => v === undefined || v.startsWith('xapp-'), 'must be an app-level token (xapp-…)'),
  SLACK_API_URL: optional.pipe(z.url({ protocol: /^https?$/ }).optional()),
  PORT: optional.pipe(z.coerce.number<string | undefined>().int().min(0).max(65535).default(3000)),
  DATABASE_PATH: optional.pipe(z.string().default('./data/sitrep.sqlite')),
  OUTBOX_LEASE_SECONDS: optional.pipe(z.coerce.number<string | undefined>().int().min(1).max(3600).default(60)),
  DATABASE_URL: optional.pipe(z.url({ protocol: /^postgres(ql)?$/, error: 'must be a PostgreSQL URL, postgres://user:password@host:5432/database' }).optional()),
  INCIDENT_TIMEZONE: optional.pipe(
    z
      .string()
      .default('UTC')
      .refine(isValidTimeZone, 'must be an IANA time zone such as Europe/London')
      .transform((zone) => canonicalTimeZone(zone) ?? zone),
  ),
  INCIDENT_CHANNEL_PREFIX: optional.pipe(
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,20}$/, 'must be up to 21 lower-case letters, digits or -')
      .default('inc'),
  ),
  INCIDENT_ANNOUNCE_CHANNEL: optional.pipe(
    z.string().regex(/^[CG][A-Z0-9]+$/, 'must be a channel id such as C0123456789').optional(),
  ),
  INCIDENT_UPDATE_REMINDER_MINUTES: reminderMinutes,
  LOG_LEVEL: optional.pipe(z.enum(LOG_LEVELS).default('info')),
  INCIDENT_REACTIONS: optional.pipe(
    z
      .string()
      .default('')
      .transform((text, context) => {
        const map = parseReactionMap(text);
        if (typeof map === 'string') context.addIssue({ code: 'custom', message: map });
        return typeof map === 'string' ? DEFAULT_REACTIONS : map;
      }),
  ),
});

function required(value: string | undefined, variable: string, why: string): string {
  if (value === undefined) throw new ConfigError(variable, `is required ${why}`);
  return value;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Variables that hold credentials. */
const SECRET_VARIABLES: ReadonlySet<string> = new Set(['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'DATABASE_URL']);

/** The variables `shape` reads, parsed; throws ConfigError naming the first bad one. */
function parseEnv<T extends z.ZodType>(shape: T, env: Env): z.output<T> {
  const parsed = shape.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const variable = String(issue?.path[0] ?? 'environment');
  // A credential is never repeated back: a mistyped DATABASE_URL still holds the password.
  const value = SECRET_VARIABLES.has(variable) ? undefined : env[variable];
  throw new ConfigError(variable, `${issue?.message ?? 'is malformed'}${value ? ` (got "${value.slice(0, 40)}")` : ''}`);
}

const reminderSchema = z.object({ INCIDENT_UPDATE_REMINDER_MINUTES: reminderMinutes });

/**
 * INCIDENT_UPDATE_REMINDER_MINUTES alone, read as loadConfig reads it, for tools that
 * need no Slack variables (`npm run postmortem`); throws ConfigError when malformed.
 */
export function loadReminderMinutes(env: Env): number {
  return parseEnv(reminderSchema, env).INCIDENT_UPDATE_REMINDER_MINUTES;
}

/** Reads the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env): Config {
  const vars = parseEnv(schema, env);
  const mode: SlackMode = vars.SLACK_APP_TOKEN ? 'socket' : 'http';
  const botToken = required(vars.SLACK_BOT_TOKEN, 'SLACK_BOT_TOKEN', '(the bot token, xoxb-…, from the app’s OAuth page)');
  const signingSecret =
    mode === 'http'
      ? required(vars.SLACK_SIGNING_SECRET, 'SLACK_SIGNING_SECRET', 'in HTTP mode (from the app’s Basic Information page)')
      : (vars.SLACK_SIGNING_SECRET ?? null);
  const apiUrl = vars.SLACK_API_URL;
  return {
    mode,
    botToken,
    signingSecret,
    appToken: vars.SLACK_APP_TOKEN ?? null,
    slackApiUrl: apiUrl ? (apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`) : null,
    port: vars.PORT,
    databasePath: vars.DATABASE_PATH,
    databaseUrl: vars.DATABASE_URL ?? null,
    outboxLeaseSeconds: vars.OUTBOX_LEASE_SECONDS,
    timeZone: vars.INCIDENT_TIMEZONE,
    channelPrefix: vars.INCIDENT_CHANNEL_PREFIX,
    announceChannel: vars.INCIDENT_ANNOUNCE_CHANNEL ?? null,
    updateReminderMinutes: vars.INCIDENT_UPDATE_REMINDER_MINUTES,
    logLevel: vars.LOG_LEVEL,
    reactions: vars.INCIDENT_REACTIONS,
  };
}
