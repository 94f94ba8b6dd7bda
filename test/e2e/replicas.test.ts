// Two sitrep processes on one PostgreSQL database, Slack's requests spread across
// them, and one killed with SIGKILL in the middle of a declare and of a burst. What
// must hold afterwards: the same command delivered to both declares once; every
// event either replica acknowledged is stored, once; the declare the dead replica
// was opening a channel for is finished by the other, with one channel; nudges that
// fall due are posted once however many replicas look for them at once; the draft
// the replicas post is the one a single process renders from the record; nothing the
// bot posts is posted twice.

import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { U_ALICE, U_BOB } from '../../harness/simulator/constants.js';
import { SlackDriver } from '../../harness/simulator/driver.js';
import { startSlackSimulator, type SlackSimulator } from '../../harness/simulator/server.js';
import { DEFAULT_REACTIONS } from '../../src/domain/reactions.js';
import { renderPostmortem } from '../../src/domain/postmortem.js';
import { openPostgres } from '../../src/db/pg/connection.js';
import { loadPostmortemInput } from '../../src/services/postmortem.js';
import { postgresStore } from '../../src/db/pg/store.js';
import type { Store } from '../../src/db/store.js';
import { storeDatabase, withClient } from '../support/postgres.js';
import { startProcess, type Running } from '../support/process.js';
import { startSlackDoor } from '../support/slack-door.js';
import { until } from '../support/until.js';

const SECRET = 'replicas-secret';
const BURST = 100;
const KILL_AFTER_ACKS = 30;
const CONCURRENCY = 8;

const running: Running[] = [];
let sim: SlackSimulator | undefined;
const proxies: Server[] = [];
/** The test's own reader of the replicas' database. */
const stores: Store[] = [];
const dir = mkdtempSync(join(tmpdir(), 'sitrep-replicas-'));

afterAll(async () => {
  for (const app of running) app.signal('SIGKILL');
  await Promise.all(running.map((app) => app.exited));
  for (const proxy of proxies) proxy.closeAllConnections();
  await Promise.all(proxies.map((proxy) => new Promise((resolve) => proxy.close(resolve))));
  await Promise.all(stores.map((store) => store.close()));
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Slack's API as the replicas reach it, each through its own door: every call goes
 * through to the simulator, but once armed, the answer to the next conversations.create
 * never comes back (the channel is made; the replica that asked never learns it).
 * `swallowed` resolves with the index of that replica.
 */
function swallowingDoors(target: string): { open(index: number): Promise<string>; arm(): void; swallowed: Promise<number> } {
  let armed = false;
  let tell!: (index: number) => void;
  const swallowed = new Promise<number>((resolve) => (tell = resolve));
  return {
    arm: () => (armed = true),
    swallowed,
    async open(index) {
      const door = await startSlackDoor(target, {
        dropAnswer: (path) => {
          if (!armed || !path.endsWith('/conversations.create')) return false;
          armed = false;
          tell(index);
          return true;
        },
      });
      proxies.push(door.server);
      return door.url;
    },
  };
}

async function startReplica(databaseUrl: string, slackApiUrl: string, logLevel = 'info'): Promise<{ app: Running; driver: SlackDriver }> {
  const app = startProcess({
    SLACK_BOT_TOKEN: sim!.botToken,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slackApiUrl,
    PORT: '0',
    DATABASE_URL: databaseUrl,
    DATABASE_PATH: join(dir, 'unused.sqlite'),
    // A dead replica's jobs are taken over after this (60 s by default).
    OUTBOX_LEASE_SECONDS: '2',
    LOG_LEVEL: logLevel,
  });
  running.push(app);
  const listening = await app.waitForLog((line) => line.msg === 'sitrep is listening');
  return { app, driver: new SlackDriver({ appUrl: `http://127.0.0.1:${String(listening.port)}/slack/events`, signingSecret: SECRET, simulator: sim! }) };
}

describe('two replicas on one PostgreSQL database', () => {
  it('declare once, store every acknowledged event once, and finish what a killed replica was doing, once', async () => {
    sim = await startSlackSimulator();
    const general = sim.addChannel({ name: 'general' });
    const databaseUrl = await storeDatabase();
    const doors = swallowingDoors(sim.apiUrl);
    const replicas = await Promise.all([0, 1].map(async (index) => startReplica(databaseUrl, await doors.open(index))));

    // The same slash command delivered to both (Slack retrying on the other one, say).
    const triggerId = sim.issueTriggerId(U_ALICE);
    const both = await Promise.all(replicas.map(({ driver }) => driver.command({ userId: U_ALICE, channelId: general.id, text: 'declare sev1 Payments down', triggerId })));
    expect(both.map((answer) => answer.status)).toEqual([200, 200]);
    const first = await sim.waitFor(() => sim!.channelByName('inc-1-payments-down')?.pins.size ? sim!.channelByName('inc-1-payments-down') : undefined, {
      what: 'the first incident channel',
    });

    // A declare that dies with the replica opening its channel: Slack makes the channel,
    // the replica never hears of it (whichever took the job; the other one survives).
    doors.arm();
    expect((await replicas[1]!.driver.command({ userId: U_BOB, channelId: general.id, text: 'declare sev2 Refunds stuck' })).status).toBe(200);
    const victim = replicas[await doors.swallowed]!;
    const survivor = replicas.find((replica) => replica !== victim)!;

    // A burst spread over both; the victim is killed part-way. What it did not
    // acknowledge, Slack delivers again, to the survivor.
    const acked = new Set<string>();
    const toRedeliver: Array<{ ts: string; eventId: string }> = [];
    let next = 0;
    let killed = false;
    const event = (ts: string) => ({ type: 'message', channel: first.id, user: U_BOB, text: `burst ${ts}`, ts, event_ts: ts, channel_type: 'channel' });
    const sender = async (): Promise<void> => {
      while (next < BURST) {
        next += 1;
        const ts = sim!.nextTs();
        const to = replicas[next % 2]!;
        const eventId = `EvBurst${String(next).padStart(4, '0')}`;
        let ok = false;
        try {
          ok = (await to.driver.event(event(ts), { eventId })).acknowledged;
        } catch {
          // The victim is gone: the connection was refused or cut.
        }
        if (ok) acked.add(ts);
        else toRedeliver.push({ ts, eventId });
        if (acked.size >= KILL_AFTER_ACKS && !killed) {
          killed = true;
          victim.app.signal('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, sender));
    expect(await victim.app.exited).toBeNull();
    for (const { ts, eventId } of toRedeliver) {
      const again = await survivor.driver.event(event(ts), { eventId, retryNum: 1, retryReason: 'http_error' });
      expect(again.acknowledged).toBe(true);
      acked.add(ts);
    }
    expect(acked.size).toBe(BURST);

    // The survivor takes the declare over once the victim's lease runs out, and adopts the channel Slack made.
    const second = await sim.waitFor(() => sim!.channelByName('inc-2-refunds-stuck')?.pins.size ? sim!.channelByName('inc-2-refunds-stuck') : undefined, {
      what: 'the second incident channel, finished by the surviving replica',
    });
    expect([...sim.channels.values()].filter((channel) => channel.name.startsWith('inc-')).map((channel) => channel.name).sort()).toEqual([
      'inc-1-payments-down',
      'inc-2-refunds-stuck',
    ]);

    // The record, read as any process reads it.
    const store = postgresStore(await openPostgres(databaseUrl, { poolSize: 2 }));
    stores.push(store);
    expect((await store.queries.listOpenIncidents()).map((incident) => incident.number)).toEqual([2, 1]);
    expect((await store.queries.findIncident(2))?.channelId).toBe(second.id);
    const stored = (await store.queries.listRecordedMessages(1)).map((message) => message.ts);
    expect(stored.length).toBe(new Set(stored).size);
    expect(new Set(stored)).toEqual(acked);

    // Both incidents overdue for a nudge (their record moved two hours back: no lead named,
    // no update since), and two more replicas starting at once, each looking for due nudges
    // as it starts: each nudge is posted once.
    await moveBack(databaseUrl, 2 * 60 * 60_000);
    const late = await Promise.all([0, 1].map(() => startReplica(databaseUrl, sim!.apiUrl, 'debug')));
    await Promise.all(late.map(({ app }) => app.waitForLog((line) => line.msg === 'reminder pass done')));
    const nudges = (channelId: string) => sim!.messages(channelId).filter((message) => message.botId && /has no lead yet|No status update on/.test(message.text));
    await sim.waitFor(() => (nudges(first.id).length + nudges(second.id).length >= 4 ? true : undefined), { what: 'the due nudges' });
    await until('every outbox job done', async () => (await store.queries.pendingJobs(1)).length === 0);
    for (const channel of [first, second]) {
      expect(nudges(channel.id).map((message) => message.text.split(' ')[0])).toEqual([':bust_in_silhouette:', ':alarm_clock:']);
    }

    // Resolved through one replica, drafted by whichever takes the job: the draft posted is
    // the one a single process renders from the same record.
    expect((await late[0]!.driver.command({ userId: U_ALICE, channelId: first.id, text: 'resolve rolled back' })).status).toBe(200);
    const [posted] = await sim.waitFor(() => (sim!.filesIn(first.id).length > 0 ? sim!.filesIn(first.id) : undefined), { what: 'the posted draft' });
    const input = await loadPostmortemInput(store.queries, 1, DEFAULT_REACTIONS);
    expect(posted?.content).toBe(renderPostmortem(input!));

    // Nothing the bot posted appears twice in either channel.
    for (const channel of [first, second]) {
      const posts = sim.messages(channel.id).filter((message) => message.botId);
      expect(posts.length).toBeGreaterThan(0);
      expect(posts.map((message) => message.text).length).toBe(new Set(posts.map((message) => message.text)).size);
    }
  });
});

/** Every incident declared, and every status change, `ms` earlier than recorded. */
async function moveBack(databaseUrl: string, ms: number): Promise<void> {
  await withClient(databaseUrl, async (client) => {
    await client.query('update incidents set declared_at = declared_at - $1', [ms]);
    await client.query('update incident_events set at = at - $1', [ms]);
  });
}
