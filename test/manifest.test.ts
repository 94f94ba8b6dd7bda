import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EVENTS_PATH } from '../src/app.js';
import { INCIDENT_COMMAND } from '../src/listeners/commands/index.js';

const manifest = parse(readFileSync(new URL('../manifest.yml', import.meta.url), 'utf8')) as {
  features: { slash_commands: { command: string; url: string; should_escape?: boolean }[]; app_home: { home_tab_enabled: boolean } };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url: string };
  };
};
const schema = JSON.parse(
  readFileSync(new URL('./fixtures/slack-manifest-schema/manifest.schema.1.0.0.json', import.meta.url), 'utf8'),
) as object;

describe('manifest.yml', () => {
  it("is valid against Slack's published manifest schema", () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('sends the command, events and interactivity to /slack/events', () => {
    const [command] = manifest.features.slash_commands;
    expect(command?.command).toBe(INCIDENT_COMMAND);
    expect(command?.should_escape).toBe(true);
    for (const url of [command?.url, manifest.settings.event_subscriptions.request_url, manifest.settings.interactivity.request_url]) {
      expect(new URL(url ?? '').pathname).toBe(EVENTS_PATH);
    }
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  });

  it('subscribes to the events sitrep records, with only the scopes it uses', () => {
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(
      expect.arrayContaining(['message.channels', 'message.groups', 'reaction_added', 'reaction_removed']),
    );
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(
      [
        'channels:history',
        'channels:manage',
        'channels:read',
        'chat:write',
        'commands',
        'files:write',
        'groups:history',
        'groups:read',
        'groups:write',
        'pins:write',
        'reactions:read',
        'users:read',
      ].sort(),
    );
  });
});
