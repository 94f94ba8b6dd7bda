// The three reference postmortems (../shared/reference-postmortems/), each
// retold as an incident script and replayed through the real app on the Slack
// simulator. The draft sitrep posts must carry the reference's facts: the impact
// window and its length, the durations the reference gives, timeline entries at
// the right local times in the right zone, the status updates in order, and the
// corrective actions as owned follow-ups. Facts, not wording: the text around
// them may change. Each is replayed on PostgreSQL too, at the same time: the draft
// posted there and what `npm run postmortem` prints (Markdown and JSON) must be the same
// as on SQLite, byte for byte.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScript, replay, type ReplayResult } from '../../harness/replay.js';
import { postmortemCli } from '../../src/cli/postmortem.js';
import {
  capturingLogger,
  dayHeadings,
  fieldTable,
  followUps,
  phaseHeadings,
  statusUpdates,
  tableRows,
  timelineEntries,
  type TimelineEntry,
} from '../support/draft.js';
import { section } from '../support/markdown.js';
import { lintMarkdown } from '../support/markdownlint.js';
import { mermaidBlocks, parseMermaid } from '../support/mermaid.js';
import { storeDatabase } from '../support/postgres.js';
import type { LogLine } from '../support/sandbox.js';

const FIXTURES = new URL('../fixtures/incidents/', import.meta.url);

const dir = mkdtempSync(join(tmpdir(), 'sitrep-fixtures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Replayed {
  result: ReplayResult;
  draft: string;
  errors: LogLine[];
  /** The stores the replay ran on (DATABASE_PATH, DATABASE_URL), kept for exports. */
  sqlite: Record<string, string>;
  postgres: { result: ReplayResult; errors: LogLine[]; env: Record<string, string> };
}

async function replayFixture(name: string): Promise<Replayed> {
  const script = loadScript(new URL(`${name}.json`, FIXTURES).pathname);
  const sqlite = { DATABASE_PATH: join(dir, `${name}.sqlite`) };
  const postgres = { DATABASE_PATH: join(dir, `${name}-unused.sqlite`), DATABASE_URL: await storeDatabase() };
  const captures = [capturingLogger(), capturingLogger()] as const;
  const [result, onPostgres] = await Promise.all([
    replay(script, { databasePath: sqlite.DATABASE_PATH, logger: captures[0].logger }),
    replay(script, { databasePath: postgres.DATABASE_PATH, env: { DATABASE_URL: postgres.DATABASE_URL }, logger: captures[1].logger }),
  ]);
  if (!result.draft) throw new Error(`${name}: the replay ended without a draft`);
  return {
    result,
    draft: result.draft.content,
    errors: captures[0].errors(),
    sqlite,
    postgres: { result: onPostgres, errors: captures[1].errors(), env: postgres },
  };
}

/** `npm run postmortem -- …args` in this process, against the store `env` names. */
async function exportWith(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await postmortemCli(args, { ...process.env, ...env }, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

/** The same incident on PostgreSQL: the same draft posted, the same exports printed. */
async function expectSameOnPostgres(run: Replayed): Promise<void> {
  expect(run.postgres.errors).toEqual([]);
  expect(run.postgres.result.draft?.content).toBe(run.draft);
  for (const args of [['1'], ['1', '--format', 'json']]) {
    const fromSqlite = await exportWith(run.sqlite, ...args);
    expect(fromSqlite).toMatchObject({ code: 0, stderr: '' });
    expect(await exportWith(run.postgres.env, ...args)).toEqual(fromSqlite);
  }
}

/** The timeline entry at `time` whose text matches; fails naming what the timeline had at that time. */
function entryAt(entries: TimelineEntry[], time: string, text: RegExp): TimelineEntry {
  const found = entries.find((entry) => entry.time === time && text.test(entry.text));
  if (!found) {
    const there = entries.filter((entry) => entry.time === time).map((entry) => entry.text);
    throw new Error(`no timeline entry at ${time} matching ${text}; at ${time} there is ${there.length ? there.join(' | ') : 'nothing'}`);
  }
  return found;
}

/** The Milestones table as { milestone: [time, since impact, since previous] }. */
function milestoneTable(draft: string): Record<string, string[]> {
  return Object.fromEntries(tableRows(draft, 'Milestones').slice(1).map(([name = '', ...rest]) => [name, rest]));
}

/** The draft passes markdownlint and Mermaid parses its chart. */
async function expectWellFormed(draft: string): Promise<void> {
  expect(lintMarkdown(draft)).toEqual([]);
  const charts = mermaidBlocks(draft);
  expect(charts).toHaveLength(1);
  for (const chart of charts) await parseMermaid(chart);
}

/** Every entry carries the zone, and they are in time order. */
function expectOrderedIn(entries: TimelineEntry[], zone: string): void {
  expect(entries.length).toBeGreaterThan(5);
  for (const entry of entries) expect(entry.time).toMatch(new RegExp(`^\\d\\d:\\d\\d ${zone}$`));
  const times = entries.map((entry) => entry.time);
  expect(times).toEqual([...times].sort());
}

describe('Clearhaus: transaction gateway unavailable (23 March 2018, UTC)', () => {
  let run: Replayed;
  beforeAll(async () => {
    run = await replayFixture('clearhaus-gateway');
  });

  it('is the same on PostgreSQL: the draft posted and the exports, byte for byte', () => expectSameOnPostgres(run));

  it('replays without an error and posts the draft as INC-1', () => {
    expect(run.errors).toEqual([]);
    expect(run.result.incidentNumber).toBe(1);
    expect(run.result.draft?.name).toBe('INC-1-postmortem.md');
    expect(run.draft).toMatch(/^# INC-1: Transaction gateway unavailable\n/);
  });

  it('has the 35-minute impact window, 16:04 to 16:39 UTC, ending at recovery rather than at the resolve command', () => {
    expect(fieldTable(run.draft)).toEqual({
      Severity: 'SEV1',
      Status: 'Resolved',
      Lead: 'Freja Holm',
      'Impact window': '16:04 – 16:39 UTC (35m)',
      Declared: '2018-03-23 16:06 UTC by Freja Holm',
      // The resolved post on the status page: Mar 23, 2018 - 17:28 UTC.
      Resolved: '2018-03-23 17:28 UTC',
    });
    expect(section(run.draft, 'Summary')).toContain(
      'On Friday 23 March 2018, impact lasted 35m, from 16:04 to 16:39 UTC; it was a SEV1 incident, declared 2m after impact started.',
    );
    expect(section(run.draft, 'Impact')).toContain('Impact lasted 35m, 16:04 – 16:39 UTC, from impact start to recovery.');
    expect(milestoneTable(run.draft)).toMatchObject({
      'Impact started': ['16:04 UTC', '0s', '—'],
      Detected: ['16:05 UTC', '1m', '1m'],
      Declared: ['16:06 UTC', '2m', '1m'],
      'Cause identified': ['16:09 UTC', '5m', '3m'],
      Recovered: ['16:39 UTC', '35m', '30m'],
      Resolved: ['17:28 UTC', '1h 24m', '49m'],
    });
  });

  it('takes the alert as its detection', () => {
    const detection = section(run.draft, 'Detection');
    expect(detection).toContain('Detected at 16:05 UTC, 1m after impact started.');
    expect(detection).toMatch(/16:06 UTC\*\*\]\([^)]+\) · Mads Kjær:\n\s+> The alert that paged me at 16:05/);
    expect(detection).not.toMatch(/TODO/);
  });

  it('shows the wait for the new servers as an attempt that did not end the impact', () => {
    const mitigation = section(run.draft, 'Mitigation and resolution');
    expect(mitigation).toMatch(/16:10 UTC\*\*\]\([^)]+\) · Attempt that did not end the impact · Freja Holm:/);
    expect(mitigation).toMatch(/Then at 16:19 UTC, Mads Kjær \(investigation\):/);
    expect(mitigation).toMatch(/16:20 UTC\*\*\]\([^)]+\) · Mitigation · Freja Holm:/);
  });

  it('is well formed: markdownlint passes and Mermaid parses the chart', async () => {
    await expectWellFormed(run.draft);
  });

  it('tells the outage in order, in UTC, on one day', () => {
    const entries = timelineEntries(run.draft);
    expectOrderedIn(entries, 'UTC');
    expect(dayHeadings(run.draft)).toEqual([]);
    entryAt(entries, '16:04 UTC', /^Impact started/);
    entryAt(entries, '16:05 UTC', /^Detected/);
    entryAt(entries, '16:06 UTC', /^Incident declared by Freja Holm \(SEV1\)/);
    entryAt(entries, '16:07 UTC', /^Impact · .*authorizations answer with an error, captures still succeed/);
    // Freja found the cause and recorded the milestone in the same minute: said once, on her message.
    entryAt(entries, '16:09 UTC', /^Cause identified · Cause · Freja Holm: .*terminated the 3 old servers/);
    expect(entries.filter((entry) => entry.time === '16:09 UTC')).toHaveLength(1);
    entryAt(entries, '16:10 UTC', /^Mitigation · .*wait for the new servers/);
    entryAt(entries, '16:19 UTC', /^Investigation · .*the fix did not solve it/);
    entryAt(entries, '16:20 UTC', /^Mitigation · .*Rolling back to the previous version/);
    entryAt(entries, '16:39 UTC', /^Recovered/);
    entryAt(entries, '16:39 UTC', /^Resolution · .*Authorizations succeed again/);
    expect(phaseHeadings(run.draft)).toEqual([
      'Impact to detection: 16:04 – 16:05 UTC (1m)',
      'Detection to declaration: 16:05 – 16:06 UTC (1m)',
      'Declaration to identification: 16:06 – 16:09 UTC (3m)',
      'Identification to recovery: 16:09 – 16:39 UTC (30m)',
      'Recovery to resolution: 16:39 – 17:28 UTC (49m)',
    ]);
    entryAt(entries, '17:28 UTC', /^Status → Resolved/);
  });

  it('lists the declaration and the resolved post as its status updates', () => {
    const updates = statusUpdates(run.draft);
    expect(updates.map(({ label, time }) => [label, time])).toEqual([
      ['Investigating', '16:06 UTC'],
      ['Resolved', '17:28 UTC'],
    ]);
    expect(updates[1]?.message).toMatch(/partially unavailable from 16:04 to 16:39 UTC/);
  });

  it('turns the new deployment procedures and lessons into follow-ups', () => {
    expect(followUps(run.draft)).toMatchObject([
      { text: expect.stringMatching(/scale down servers running in production/), owner: 'Mads Kjær', source: '/incident action, Freja Holm' },
      { text: expect.stringMatching(/failures found during a deployment.*discarding failed new servers/), owner: 'Freja Holm' },
      { text: expect.stringMatching(/Practise rollbacks/), owner: 'Mads Kjær', source: '/incident action, Mads Kjær' },
      // Marked with :memo: on a message, so nobody owns it until the author says who.
      { text: expect.stringMatching(/fail at startup on testing or staging/), owner: '**TODO:** _who?_', source: expect.stringMatching(/^:memo: on \[\*\*Sofie Brandt's message at 16:53 UTC\*\*\]/) },
    ]);
  });
});

describe('Commerce Layer: database upgrade stalled (9 April 2024, CEST)', () => {
  let run: Replayed;
  beforeAll(async () => {
    run = await replayFixture('commerce-layer-db-upgrade');
  });

  it('is the same on PostgreSQL: the draft posted and the exports, byte for byte', () => expectSameOnPostgres(run));

  it('replays without an error, declared through the form', () => {
    expect(run.errors).toEqual([]);
    expect(run.draft).toMatch(/^# INC-1: API, Dashboard and Applications unavailable\n/);
    expect(section(run.draft, 'Summary')).toMatch(/We are aware that our API\/Dashboard\/Applications are currently not available/);
    expect(section(run.draft, 'Impact')).toMatch(/Read requests cached on our CDN keep working/);
  });

  it('has the impact window 06:45 to 08:55 UTC as 08:45 to 10:55 CEST (2h 10m), with the UTC equivalent in the summary', () => {
    expect(fieldTable(run.draft)).toEqual({
      Severity: 'SEV1',
      Status: 'Resolved',
      Lead: 'Giulia Ferri',
      'Impact window': '08:45 – 10:55 CEST (2h 10m)',
      Declared: '2024-04-09 09:25 CEST by Giulia Ferri',
      Resolved: '2024-04-09 13:14 CEST',
    });
    expect(section(run.draft, 'Summary')).toContain(
      'On Tuesday 9 April 2024, impact lasted 2h 10m, from 08:45 to 10:55 CEST (06:45 – 08:55 UTC); it was a SEV1 incident, declared 40m after impact started.',
    );
    expect(section(run.draft, 'Impact')).toContain('Impact lasted 2h 10m, 08:45 – 10:55 CEST, from impact start to recovery.');
  });

  it('says it was declared 40 minutes after impact started, their own corrective action', () => {
    expect(milestoneTable(run.draft)).toMatchObject({
      'Impact started': ['08:45 CEST', '0s', '—'],
      // Noticed when the provider's 5-minute safeguard did not act.
      Detected: ['08:50 CEST', '5m', '5m'],
      Declared: ['09:25 CEST', '40m', '35m'],
      Mitigated: ['10:50 CEST', '2h 5m', expect.any(String)],
      Recovered: ['10:55 CEST', '2h 10m', '5m'],
    });
    expect(section(run.draft, 'Milestones')).toContain('**Time to declare**: 40m after impact started');
    expect(section(run.draft, 'Lessons learned')).toContain('the incident was declared 40m after impact started');
    expect(phaseHeadings(run.draft)).toContain('Detection to declaration: 08:50 – 09:25 CEST (35m)');
  });

  it('shows the failed cancel and the failed workarounds as attempts that did not end the impact', () => {
    const mitigation = section(run.draft, 'Mitigation and resolution');
    expect(mitigation).toMatch(/09:31 CEST\*\*\]\([^)]+\) · Attempt that did not end the impact · Marco Rinaldi:\n\s+> For the record: at 08:56 I tried to cancel/);
    expect(mitigation).toMatch(/09:32 CEST\*\*\]\([^)]+\) · Attempt that did not end the impact · Marco Rinaldi:\n\s+> .*two workarounds/);
    expect(mitigation).toMatch(/Then at 09:36 CEST, Marco Rinaldi \(investigation\):\n\s+> Neither workaround worked/);
    // The provider's restore did end it.
    expect(mitigation).toMatch(/10:50 CEST\*\*\]\([^)]+\) · Mitigation · Marco Rinaldi:/);
    const lessons = section(run.draft, 'Lessons learned');
    expect(lessons).toMatch(/the attempt at 09:31 CEST \(Marco Rinaldi: "For the record/);
    expect(lessons).toMatch(/the attempt at 09:32 CEST \(Marco Rinaldi: "Provider support/);
  });

  it('is well formed: markdownlint passes and Mermaid parses the chart', async () => {
    await expectWellFormed(run.draft);
  });

  it('places the backdated leadup and the recovery at their CEST times', () => {
    const entries = timelineEntries(run.draft);
    expectOrderedIn(entries, 'CEST');
    expect(dayHeadings(run.draft)).toEqual([]);
    entryAt(entries, '08:39 CEST', /^Note · .*maintenance began/); // 06:39 UTC
    entryAt(entries, '08:45 CEST', /^Impact started/); // 06:45 UTC
    entryAt(entries, '08:45 CEST', /^Note · .*upgrade task failed/);
    entryAt(entries, '08:50 CEST', /^Detected/);
    entryAt(entries, '08:56 CEST', /^Note · .*cancel.*disabled/); // "a few minutes before 7:00 AM UTC"
    entryAt(entries, '09:25 CEST', /^Incident declared by Giulia Ferri \(SEV1\)/);
    entryAt(entries, '10:30 CEST', /^Cause · .*read replicas is in an inconsistent state/);
    entryAt(entries, '10:36 CEST', /^Status → Identified/);
    entryAt(entries, '10:50 CEST', /^Mitigation · .*restored database availability/); // 08:50 UTC
    entryAt(entries, '10:50 CEST', /^Mitigated/); // 08:50 UTC
    entryAt(entries, '10:55 CEST', /^Recovered/); // 08:55 UTC
    entryAt(entries, '11:06 CEST', /^Status → Monitoring/);
    entryAt(entries, '13:14 CEST', /^Status → Resolved/);
  });

  it('has the status page updates, in order, at their CEST times', () => {
    expect(statusUpdates(run.draft)).toEqual([
      { label: 'Investigating', time: '09:25 CEST', gap: null, message: expect.stringMatching(/^We are aware that our API/) },
      { label: 'Update', time: '09:26 CEST', gap: '1m', message: 'We are continuing to investigate this issue.' },
      { label: 'Identified', time: '10:36 CEST', gap: '1h 10m', message: expect.stringMatching(/working with our service provider/) },
      { label: 'Monitoring', time: '11:06 CEST', gap: '30m', message: expect.stringMatching(/^A fix has been applied/) },
      { label: 'Resolved', time: '13:14 CEST', gap: '2h 8m', message: expect.stringMatching(/^The issue is resolved/) },
    ]);
  });

  it('turns the corrective and preventative measures into owned follow-ups', () => {
    expect(followUps(run.draft)).toMatchObject([
      { text: expect.stringMatching(/service provider's representatives in future maintenance/), owner: 'Marco Rinaldi' },
      { text: expect.stringMatching(/status page as soon as an issue occurs.*proactive alert/), owner: 'Elena Conti' },
      { text: expect.stringMatching(/maintenance windows in a low-traffic period/), owner: 'Giulia Ferri' },
    ]);
  });
});

describe('GitKraken: payment-service deploy locked users out (20 September 2023, EDT)', () => {
  let run: Replayed;
  beforeAll(async () => {
    run = await replayFixture('gitkraken-payment-service');
  });

  it('is the same on PostgreSQL: the draft posted and the exports, byte for byte', () => expectSameOnPostgres(run));

  it('replays without an error', () => {
    expect(run.errors).toEqual([]);
    expect(run.draft).toMatch(/^# INC-1: api-service slow after payment-service deploy\n/);
  });

  it('has the impact window 05:00 to 14:43 EDT (the report says EST; September in New York is EDT)', () => {
    expect(fieldTable(run.draft)).toEqual({
      Severity: 'SEV1',
      Status: 'Resolved',
      Lead: 'Priya Nair',
      'Impact window': '05:00 – 14:43 EDT (9h 43m)',
      Declared: '2023-09-20 06:02 EDT by Priya Nair',
      Resolved: '2023-09-20 14:43 EDT',
    });
    expect(milestoneTable(run.draft)).toMatchObject({
      Detected: ['06:00 EDT', '1h', '1h'], // manual testing, ~6:00 am
      'Cause identified': ['08:36 EDT', '3h 36m', '2h 34m'], // the configuration error, by the end of the 6:55–8:36 alarms
      Recovered: ['14:43 EDT', '9h 43m', '43m'],
    });
    expect(run.draft).not.toMatch(/\d\d:\d\d EST\b/);
  });

  it('finds the 5h 24m without a status update, and the time at each severity', () => {
    const milestones = section(run.draft, 'Milestones');
    expect(milestones).toContain('**Longest without a status update**: 5h 24m, 08:36 – 14:00 EDT');
    expect(milestones).toContain('**Time at each severity**: SEV2 for 54m (06:02 – 06:56 EDT), then SEV1 for 7h 47m (06:56 – 14:43 EDT)');
    const lessons = section(run.draft, 'Lessons learned');
    expect(lessons).toContain('no status update for 5h 24m (08:36 – 14:00 EDT), longer than the 30m between reminders');
    expect(lessons).toContain('severity was raised from SEV2 to SEV1 at 06:56 EDT, 54m after the declaration');
    expect(section(run.draft, 'Summary')).toContain('it was a SEV2 incident, then SEV1, declared 1h 2m after impact started.');
  });

  it('keeps the unmarked "coming down, gradually" in the transcript, and both failed rollbacks as attempts', () => {
    expect(section(run.draft, 'Transcript')).toMatch(/12:30 EDT\*\*\]\([^)]+\) · Sam Okafor: api-service response times are coming down, gradually\./);
    const mitigation = section(run.draft, 'Mitigation and resolution');
    expect(mitigation).toMatch(/07:10 EDT\*\*\]\([^)]+\) · Attempt that did not end the impact · Tom Becker/);
    expect(mitigation).toMatch(/09:00 EDT\*\*\]\([^)]+\) · Attempt that did not end the impact · Sam Okafor/);
  });

  it('is well formed: markdownlint passes and Mermaid parses the chart', async () => {
    await expectWellFormed(run.draft);
  });

  it('tells the day in order, in EDT', () => {
    const entries = timelineEntries(run.draft);
    expectOrderedIn(entries, 'EDT');
    expect(dayHeadings(run.draft)).toEqual([]);
    entryAt(entries, '05:00 EDT', /^Impact started/);
    entryAt(entries, '05:00 EDT', /^Note · .*payment-service deployed.*lost monitoring visibility/);
    entryAt(entries, '06:00 EDT', /^Detected/);
    entryAt(entries, '06:55 EDT', /^Impact · .*Alarms firing/);
    entryAt(entries, '06:56 EDT', /^Severity SEV2 → SEV1/);
    entryAt(entries, '07:05 EDT', /^Impact · .*subscription renewal message/);
    entryAt(entries, '08:36 EDT', /^Cause · .*configuration options.*not set correctly/);
    entryAt(entries, '08:36 EDT', /^Status → Identified/);
    entryAt(entries, '09:00 EDT', /^Mitigation · .*another rollback/);
    entryAt(entries, '10:30 EDT', /^Investigation · .*prolonged api-service response times/);
    entryAt(entries, '11:00 EDT', /^Mitigation · .*monitoring tools to manage the traffic/);
    entryAt(entries, '14:30 EDT', /^Resolution · .*All-clear/);
    entryAt(entries, '14:00 EDT', /^Status → Monitoring/);
    entryAt(entries, '14:43 EDT', /^Recovered/);
    entryAt(entries, '14:43 EDT', /^Status → Resolved/);
  });

  it('has its status updates in order', () => {
    expect(statusUpdates(run.draft).map(({ label, time }) => [label, time])).toEqual([
      ['Investigating', '06:02 EDT'],
      ['Identified', '08:36 EDT'],
      ['Monitoring', '14:00 EDT'],
      ['Resolved', '14:43 EDT'],
    ]);
  });

  it('turns the four remediation steps into owned follow-ups', () => {
    expect(followUps(run.draft)).toMatchObject([
      { text: expect.stringMatching(/Customer Support.*automate the service status page/), owner: 'Lena Ortiz' },
      { text: expect.stringMatching(/user-workflow tests to deployments/), owner: 'Tom Becker' },
      { text: expect.stringMatching(/quick reversions after a problematic production push/), owner: 'Sam Okafor' },
      { text: expect.stringMatching(/permissions to change configuration.*every time zone/), owner: 'Priya Nair' },
    ]);
  });
});
