import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadReminderMinutes } from '../src/config.js';
import { DEFAULT_REACTIONS } from '../src/domain/reactions.js';

const http = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret' };

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted it');
}

describe('loadConfig', () => {
  it('fills in the documented defaults', () => {
    expect(loadConfig(http)).toEqual({
      mode: 'http',
      botToken: 'xoxb-1',
      signingSecret: 'secret',
      appToken: null,
      slackApiUrl: null,
      port: 3000,
      databasePath: './data/sitrep.sqlite',
      databaseUrl: null,
      outboxLeaseSeconds: 60,
      timeZone: 'UTC',
      channelPrefix: 'inc',
      announceChannel: null,
      updateReminderMinutes: 30,
      logLevel: 'info',
      reactions: DEFAULT_REACTIONS,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      ...http,
      SLACK_API_URL: 'http://127.0.0.1:4000/api',
      PORT: '8080',
      DATABASE_PATH: '/tmp/x.sqlite',
      DATABASE_URL: 'postgresql://sitrep:pw@db.internal:5432/sitrep',
      INCIDENT_TIMEZONE: 'Europe/London',
      INCIDENT_CHANNEL_PREFIX: 'incident',
      INCIDENT_ANNOUNCE_CHANNEL: 'C0123',
      INCIDENT_UPDATE_REMINDER_MINUTES: '15',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      slackApiUrl: 'http://127.0.0.1:4000/api/',
      port: 8080,
      databasePath: '/tmp/x.sqlite',
      databaseUrl: 'postgresql://sitrep:pw@db.internal:5432/sitrep',
      timeZone: 'Europe/London',
      channelPrefix: 'incident',
      announceChannel: 'C0123',
      updateReminderMinutes: 15,
      logLevel: 'debug',
    });
  });

  it('refuses a DATABASE_URL that is not PostgreSQL without repeating it (it holds a password)', () => {
    const error = errorOf({ ...http, DATABASE_URL: 'mysql://sitrep:hunter2-secret@db/sitrep' });
    expect(error.message).toMatch(/^DATABASE_URL must be a PostgreSQL URL/);
    expect(error.message).not.toContain('hunter2');
  });

  it('uses Socket Mode when an app token is set, and then needs no signing secret', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })).toMatchObject({
      mode: 'socket',
      appToken: 'xapp-1',
      signingSecret: null,
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ ...http, PORT: '', INCIDENT_TIMEZONE: ' ' })).toMatchObject({ port: 3000, timeZone: 'UTC' });
  });

  it('lays INCIDENT_REACTIONS over the default reactions', () => {
    const { reactions } = loadConfig({ ...http, INCIDENT_REACTIONS: 'fire=impact, :eyes:=investigation' });
    expect(reactions).toMatchObject({ fire: 'impact', eyes: 'investigation', pushpin: 'key', memo: 'action' });
  });

  it('spells the zone the way Intl does', () => {
    expect(loadConfig({ ...http, INCIDENT_TIMEZONE: 'europe/london' }).timeZone).toBe('Europe/London');
  });

  it.each<[Record<string, string>, string, RegExp]>([
    [{}, 'SLACK_BOT_TOKEN', /required/],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, 'SLACK_SIGNING_SECRET', /required in HTTP mode/],
    [{ ...http, SLACK_BOT_TOKEN: 'xoxp-1' }, 'SLACK_BOT_TOKEN', /bot token/],
    [{ ...http, SLACK_APP_TOKEN: 'xoxb-2' }, 'SLACK_APP_TOKEN', /app-level token/],
    [{ ...http, PORT: 'eighty' }, 'PORT', /eighty/],
    [{ ...http, PORT: '70000' }, 'PORT', /70000/],
    [{ ...http, INCIDENT_TIMEZONE: 'Mars/Olympus' }, 'INCIDENT_TIMEZONE', /IANA/],
    [{ ...http, INCIDENT_CHANNEL_PREFIX: 'Inc Channel' }, 'INCIDENT_CHANNEL_PREFIX', /lower-case/],
    [{ ...http, INCIDENT_ANNOUNCE_CHANNEL: '#general' }, 'INCIDENT_ANNOUNCE_CHANNEL', /channel id/],
    [{ ...http, INCIDENT_UPDATE_REMINDER_MINUTES: '0' }, 'INCIDENT_UPDATE_REMINDER_MINUTES', /0/],
    [{ ...http, LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /loud/],
    [{ ...http, INCIDENT_REACTIONS: 'fire=panic' }, 'INCIDENT_REACTIONS', /"fire=panic" is not emoji=category/],
    [{ ...http, SLACK_API_URL: 'ftp://x' }, 'SLACK_API_URL', /ftp/],
  ])('refuses %j, naming %s', (env, variable, detail) => {
    const error = errorOf(env);
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(variable)).toBe(true);
    expect(error.message).toMatch(detail);
    expect(error.message).not.toContain('\n');
  });
});

describe('loadReminderMinutes', () => {
  it('reads INCIDENT_UPDATE_REMINDER_MINUTES as loadConfig does, without the Slack variables', () => {
    expect(loadReminderMinutes({})).toBe(30);
    expect(loadReminderMinutes({ INCIDENT_UPDATE_REMINDER_MINUTES: ' 45 ' })).toBe(45);
    expect(loadReminderMinutes({ INCIDENT_UPDATE_REMINDER_MINUTES: '' })).toBe(30);
    expect(() => loadReminderMinutes({ INCIDENT_UPDATE_REMINDER_MINUTES: '0' })).toThrow(ConfigError);
    expect(() => loadReminderMinutes({ INCIDENT_UPDATE_REMINDER_MINUTES: 'soon' })).toThrow(/^INCIDENT_UPDATE_REMINDER_MINUTES .*\(got "soon"\)$/);
  });
});
