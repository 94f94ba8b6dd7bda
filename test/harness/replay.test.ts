// Incident scripts: what a valid one becomes, how a malformed one is refused
// (naming the step), and the step kinds the fixtures do not use, replayed.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReplayError, ScriptError, loadScript, parseScript, replay, type ReplayEvent, type ScriptStep } from '../../harness/replay.js';
import { capturingLogger, fieldTable, timelineEntries } from '../support/draft.js';
import { section } from '../support/markdown.js';

const ROOT = new URL('../..', import.meta.url).pathname;

type RawStep = Record<string, unknown>;

function script(steps: RawStep[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    about: 'a test incident',
    timeZone: 'UTC',
    start: '2018-03-23 16:00',
    people: [
      { name: 'alice', realName: 'Alice Example' },
      { name: 'bob', realName: 'Bob Example', id: 'U_BOB' },
    ],
    steps: [{ at: '16:00', by: 'alice', command: 'declare sev2 Gateway down' }, ...steps],
    ...extra,
  };
}

/** The ScriptError that parsing throws; fails the test when it parses. */
function refusal(value: unknown): ScriptError {
  try {
    parseScript(value, 'test.json');
  } catch (error) {
    if (error instanceof ScriptError) return error;
    throw error;
  }
  throw new Error('the script was accepted');
}

function stepAt(steps: ScriptStep[], number: number): ScriptStep {
  const step = steps.find((s) => s.number === number);
  if (!step) throw new Error(`no step ${number}`);
  return step;
}

describe('parseScript', () => {
  it('places times in the script zone, a second apart within a minute, and at the step before when omitted', () => {
    const parsed = parseScript(
      script(
        [
          { at: '16:00', by: 'bob', say: 'first' },
          { by: 'alice', say: 'second' },
          { at: '16:05', by: 'bob', say: 'third' },
          { at: '2018-03-24 00:10', by: 'bob', say: 'after midnight' },
          { at: '00:20', by: 'bob', say: 'same day as the step before' },
        ],
        { timeZone: 'America/New_York' },
      ),
    );
    expect(parsed.start).toBe(Date.parse('2018-03-23T20:00:00Z'));
    expect(parsed.steps.map((step) => step.at)).toEqual([
      Date.parse('2018-03-23T20:00:00Z'),
      Date.parse('2018-03-23T20:00:01Z'),
      Date.parse('2018-03-23T20:00:02Z'),
      Date.parse('2018-03-23T20:05:00Z'),
      Date.parse('2018-03-24T04:10:00Z'),
      Date.parse('2018-03-24T04:20:00Z'),
    ]);
  });

  it('writes mentions as Slack sends them and encodes what Slack encodes', () => {
    const parsed = parseScript(
      script([
        { at: '16:01', by: 'alice', command: '/incident lead @bob' },
        { by: 'alice', command: 'action Check <config> & retry @alice' },
        { by: 'bob', say: 'thanks @alice, mail ops@example.com, @here' },
      ]),
    );
    const texts = parsed.steps.map((step) => ('text' in step ? step.text : null));
    expect(texts.slice(1)).toEqual([
      'lead <@U_BOB|bob>',
      'action Check &lt;config&gt; &amp; retry <@U_ALICE|alice>',
      'thanks <@U_ALICE>, mail ops@example.com, <!here>',
    ]);
  });

  it('reads the declare form, reactions, threads, edits and deletes', () => {
    const parsed = parseScript({
      ...script([]),
      steps: [
        { at: '16:00', by: 'alice', declare: { title: 'Gateway down', severity: 'sev1', summary: 'It is down' } },
        { at: '16:01', by: 'bob', id: 'page', say: 'paged', marks: [[':rotating_light:', 'alice']] },
        { by: 'alice', say: 'looking', thread: 'page' },
        { by: 'alice', react: 'bulb', to: 'page' },
        { by: 'alice', unreact: 'bulb', to: 'page' },
        { edit: 'page', text: 'paged again' },
        { delete: 'page' },
      ],
    });
    expect(stepAt(parsed.steps, 1)).toMatchObject({ kind: 'declare', title: 'Gateway down', severity: 'sev1', summary: 'It is down', impact: null });
    expect(stepAt(parsed.steps, 2)).toMatchObject({ kind: 'say', id: 'page', marks: [{ emoji: 'rotating_light', by: { id: 'U_ALICE' } }] });
    expect(stepAt(parsed.steps, 3)).toMatchObject({ kind: 'say', thread: 'page' });
    expect(stepAt(parsed.steps, 5)).toMatchObject({ kind: 'react', emoji: 'bulb', remove: true });
    expect(stepAt(parsed.steps, 6)).toMatchObject({ kind: 'edit', target: 'page', text: 'paged again' });
    expect(stepAt(parsed.steps, 7)).toMatchObject({ kind: 'delete', target: 'page' });
  });

  it.each([
    ['a step with no kind', [{ at: '16:01', by: 'bob' }], /step 2 \(16:01\): must have exactly one of "command", "declare", "say".*; it has none/],
    ['a step with two kinds', [{ at: '16:01', by: 'bob', say: 'x', command: 'update x' }], /step 2 \(16:01\): must have exactly one of .*; it has "command" and "say"/],
    ['a misspelt key', [{ at: '16:01', by: 'bob', say: 'x', mark: [['bulb', 'alice']] }], /step 2 \(16:01, say\): Unrecognized key: "mark"/],
    ['a missing author', [{ at: '16:01', say: 'x' }], /step 2 \(16:01, say\): by: is missing \(string\)/],
    ['someone not in the script', [{ at: '16:01', by: 'zed', say: 'x' }], /step 2 \(16:01, say\): by: "zed" is not one of the script's people \(alice, bob\)/],
    ['a marker not in the script', [{ at: '16:01', by: 'bob', say: 'x', marks: [['bulb', 'zed']] }], /step 2 \(16:01, say\): marks\[0\]: "zed" is not one of/],
    ['a time that is not one', [{ at: '4pm', by: 'bob', say: 'x' }], /step 2 \(4pm, say\): at: must be a local time such as "16:04"/],
    ['a date not on the calendar', [{ at: '2018-02-30 16:01', by: 'bob', say: 'x' }], /step 2 \(2018-02-30 16:01, say\): "2018-02-30 16:01" is not a date on the calendar/],
    ['time going backwards', [{ at: '15:59', by: 'bob', say: 'x' }], /step 2 \(15:59, say\): "15:59" is before the step before it \(2018-03-23 16:00 UTC\).*write the date to cross midnight/],
    ['a reaction to an unknown message', [{ at: '16:01', by: 'bob', react: 'bulb', to: 'nope' }], /step 2 \(16:01, react\): to: no earlier "say" step has "id": "nope"/],
    ['a thread under a later message', [{ at: '16:01', by: 'bob', say: 'x', thread: 'later' }, { by: 'bob', say: 'y', id: 'later' }], /step 2 \(16:01, say\): thread: no earlier "say" step has "id": "later"/],
    ['an edit by someone else', [{ at: '16:01', by: 'bob', say: 'x', id: 'm' }, { by: 'alice', edit: 'm', text: 'y' }], /step 3 \(edit\): by: only the message's author, bob, can edit it/],
    ['an edit of a deleted message', [{ at: '16:01', by: 'bob', say: 'x', id: 'm' }, { delete: 'm' }, { edit: 'm', text: 'y' }], /step 4 \(edit\): edit: the message "m" was deleted at step 3/],
    ['a command sitrep would refuse', [{ at: '16:01', by: 'alice', command: 'timestamp detected soon' }], /step 2 \(16:01, command\): sitrep would refuse "\/incident timestamp detected soon": When\? Give a time/],
    ['a mention of someone not in the script', [{ at: '16:01', by: 'alice', command: 'lead @zed' }], /step 2 \(16:01, command\): command: @zed is not one of the script's people/],
    ['a time in the future', [{ at: '16:01', by: 'alice', command: 'note 2018-03-23 16:30 later' }], /step 2 \(16:01, command\): note: 2018-03-23 16:30 UTC is after the step's own time \(2018-03-23 16:01 UTC\)/],
    ['a channel command in the ops channel', [{ at: '16:01', by: 'alice', in: 'ops', command: 'update x' }], /step 2 \(16:01, command\): `update` works only in the incident's channel/],
    ['a second declare', [{ at: '16:01', by: 'bob', command: 'declare Another' }], /step 2 \(16:01, command\): a script declares one incident/],
    ['the bare declare', [{ at: '16:01', by: 'bob', command: 'declare' }], /step 2 \(16:01, command\): "declare" alone opens the form/],
  ])('refuses %s, naming the step', (_what, steps, message) => {
    const error = refusal(script(steps));
    expect(error.message).toMatch(/^test\.json is not a script sitrep can replay:\n/);
    expect(error.message).toMatch(message);
  });

  it('refuses steps in the incident channel before the declare', () => {
    const error = refusal({ ...script([]), steps: [{ at: '16:00', by: 'bob', say: 'early' }, { at: '16:01', by: 'alice', command: 'declare Late' }] });
    expect(error.message).toMatch(/step 1 \(16:00, say\): the message happens in the incident's channel, but no step before it declares the incident/);
  });

  it('refuses a script without a declare, an unknown zone, a missing field and a duplicate person', () => {
    expect(refusal({ ...script([]), steps: [{ at: '16:00', by: 'bob', in: 'ops', say: 'hi' }] }).message).toMatch(/no step declares the incident/);
    expect(refusal(script([], { timeZone: 'Mars/Olympus' })).message).toMatch(/timeZone: "Mars\/Olympus" is not an IANA time zone/);
    expect(refusal({ ...script([]), about: undefined }).message).toMatch(/about: is missing/);
    expect(
      refusal(script([], { people: [{ name: 'alice', realName: 'A' }, { name: 'alice', realName: 'B' }] })).message,
    ).toMatch(/people\[1\]: "alice" is listed twice/);
  });

  it('names every bad step at once', () => {
    const error = refusal(script([{ at: '16:01', by: 'zed', say: 'x' }, { at: '16:02', by: 'bob', sey: 'typo' }]));
    expect(error.problems).toHaveLength(2);
    expect(error.problems[0]).toMatch(/^step 2 /);
    expect(error.problems[1]).toMatch(/^step 3 \(16:02\): must have exactly one of/);
  });

  it('names the file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sitrep-script-'));
    try {
      const path = join(dir, 'broken.json');
      writeFileSync(path, '{ "about": ');
      expect(() => loadScript(path)).toThrow(/broken\.json is not a script sitrep can replay:\n {2}- is not JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the scripts in the repository', () => {
  it.each([
    // [file, the declare's instant, the last step's instant]
    ['harness/demo-incident.json', '2026-04-14T14:02:00Z', '2026-04-14T14:36:00Z'],
    ['test/fixtures/incidents/clearhaus-gateway.json', '2018-03-23T16:06:00Z', '2018-03-23T17:28:00Z'],
    ['test/fixtures/incidents/commerce-layer-db-upgrade.json', '2024-04-09T07:25:00Z', '2024-04-09T11:14:00Z'],
    ['test/fixtures/incidents/gitkraken-payment-service.json', '2023-09-20T10:02:00Z', '2023-09-20T18:43:01Z'],
  ])('%s is valid and read in its own zone', (file, declared, last) => {
    const parsed = loadScript(join(ROOT, file));
    const declare = parsed.steps.find((step) => step.kind === 'declare' || (step.kind === 'command' && step.commandKind === 'declare'));
    expect(declare?.at).toBe(Date.parse(declared));
    expect(parsed.steps.at(-1)?.at).toBe(Date.parse(last));
  });
});

describe('replay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sitrep-replay-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('plays threads, edits, deletes and removed reactions through the app, and tells each step', async () => {
    const capture = capturingLogger();
    const events: ReplayEvent[] = [];
    const result = await replay(
      parseScript({
        ...script([]),
        steps: [
          { at: '16:00', by: 'alice', declare: { title: 'Gateway down', severity: 'sev1', summary: 'It is down', impact: 'Checkout' } },
          { at: '16:02', by: 'bob', id: 'page', say: 'gateway 5xx at 40%', marks: [['rotating_light', 'alice']] },
          { at: '16:03', by: 'alice', say: 'on it', thread: 'page' },
          { at: '16:04', by: 'bob', id: 'secret', say: 'token is hunter2', marks: [['pushpin', 'bob']] },
          { by: 'bob', delete: 'secret' },
          { at: '16:05', by: 'bob', id: 'guess', say: 'maybe DNS', marks: [['bulb', 'alice']] },
          { by: 'alice', unreact: 'bulb', to: 'guess' },
          { at: '16:06', edit: 'page', text: 'gateway 5xx at 45%' },
          { at: '16:07', by: 'alice', command: 'timestamp impact-started 15:58' },
          { at: '16:20', by: 'alice', command: 'resolve Restarted the gateway' },
        ],
      }),
      { logger: capture.logger, onEvent: (event) => events.push(event), databasePath: join(dir, 'kept.sqlite') },
    );
    expect(capture.errors()).toEqual([]);
    expect(result.incidentNumber).toBe(1);
    expect(result.channel.name).toBe('inc-1-gateway-down');
    expect(result.opsChannel.name).toBe('ops');
    expect(existsSync(join(dir, 'kept.sqlite'))).toBe(true);

    const told = events.map((event) => `${event.kind}${'who' in event ? ` ${event.who}` : ''}`);
    expect(told.slice(0, 3)).toEqual(['command alice', 'form alice', 'bot']);
    expect(told).toContain('opened alice');
    expect(events).toContainEqual(expect.objectContaining({ kind: 'message', who: 'alice', text: 'on it', inThread: true }));
    expect(events).toContainEqual(expect.objectContaining({ kind: 'reaction', who: 'alice', emoji: 'bulb', removed: true }));
    expect(events).toContainEqual(expect.objectContaining({ kind: 'edit', who: 'bob', text: 'gateway 5xx at 45%' }));
    expect(events).toContainEqual(expect.objectContaining({ kind: 'delete', who: 'bob', text: 'token is hunter2' }));
    expect(events.at(-1)).toEqual(expect.objectContaining({ kind: 'draft', file: 'INC-1-postmortem.md', channel: 'inc-1-gateway-down' }));

    const draft = result.draft?.content ?? '';
    expect(fieldTable(draft)['Impact window']).toBe('15:58 – 16:20 UTC (22m)');
    const timeline = timelineEntries(draft);
    expect(timeline).toContainEqual(expect.objectContaining({ time: '16:02 UTC', text: expect.stringMatching(/^Impact · .*gateway 5xx at 45%/) }));
    expect(draft).not.toMatch(/hunter2|gateway 5xx at 40%/);
    // Unmarked once the reaction was taken back: out of the timeline, kept in the transcript.
    expect(section(draft, 'Timeline')).not.toMatch(/maybe DNS/);
    expect(section(draft, 'Transcript')).toMatch(/maybe DNS/);
    expect(section(draft, 'Summary')).toMatch(/It is down/);
  });

  it('lets the bot nudge when its reminders fall due between steps, not at the next step', async () => {
    const capture = capturingLogger();
    const events: ReplayEvent[] = [];
    // Declared at 16:00 with no lead and no status update until it is resolved at 16:45:
    // the lead nudge is due at 16:10 and the update nudge at 16:30 (INCIDENT_UPDATE_REMINDER_MINUTES=30).
    await replay(parseScript(script([{ at: '16:45', by: 'alice', command: 'resolve fine' }])), {
      logger: capture.logger,
      onEvent: (event) => events.push(event),
    });
    expect(capture.errors()).toEqual([]);
    const nudges = events.filter((event) => event.kind === 'bot' && !event.prompted);
    expect(nudges.map((event) => new Date(event.at).toISOString())).toEqual(['2018-03-23T16:10:00.000Z', '2018-03-23T16:30:00.000Z']);
  });

  it('stops at a step sitrep refuses, naming it', async () => {
    const capture = capturingLogger();
    const refused = replay(
      parseScript(
        script([
          { at: '16:05', by: 'alice', command: 'resolve done' },
          { at: '16:06', by: 'alice', command: 'severity sev1' },
        ]),
      ),
      { logger: capture.logger },
    );
    await expect(refused).rejects.toThrow(ReplayError);
    await expect(refused).rejects.toThrow(/^step 3 \(16:06, command\): sitrep refused "\/incident severity sev1": INC-1 is resolved/);
  });
});
