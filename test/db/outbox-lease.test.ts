// A replica renews the lease on an outbox job while it sends it, on a real
// PostgreSQL server: a job that takes longer than its lease (Slack calls hanging
// near their timeout, a big upload) stays the sender's, so no other replica sends
// it at the same time; a replica that lost a job (it stalled, another took the job
// over) can neither renew it nor record what became of it over the new holder.

import type { Server } from 'node:http';
import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../harness/sandbox.js';
import { startSlackSimulator, type SlackSimulator } from '../../harness/simulator/server.js';
import { openPostgres, type PgDatabase, type PgRunner } from '../../src/db/pg/connection.js';
import { claimNextInLane, laneHeads, markFailed, markSent, nextNotBefore, noteError, renewLease } from '../../src/db/pg/outbox.js';
import { incidents, outbox } from '../../src/db/pg/schema.js';
import { createLogger } from '../../src/logger.js';
import { TestClock } from '../support/clock.js';
import { storeDatabase, testDatabase } from '../support/postgres.js';
import { startSlackDoor } from '../support/slack-door.js';
import { until } from '../support/until.js';

type Db = PgDatabase['db'];

const claimOf = (replica: string) => ({ replica, leaseMs: 30_000 });

async function newIncident(db: Db, channelId: string | null = null): Promise<number> {
  const [row] = await db
    .insert(incidents)
    .values({ title: 'lease', severity: 'sev3', status: 'investigating', declaredBy: 'U1', timeZone: 'UTC', declaredAt: 0, channelId })
    .returning({ id: incidents.id });
  if (!row) throw new Error('no incident');
  return row.id;
}

async function queuePost(db: Db, incidentId: number, text: string): Promise<number> {
  const [row] = await db.insert(outbox).values({ incidentId, kind: 'post', payload: { channel: 'incident', text }, createdAt: 0 }).returning({ id: outbox.id });
  if (!row) throw new Error('no job');
  return row.id;
}

async function jobRow(db: Db, id: number): Promise<typeof outbox.$inferSelect> {
  const [row] = await db.select().from(outbox).where(eq(outbox.id, id));
  if (!row) throw new Error(`no job ${id}`);
  return row;
}

// The database's conditions are waited for (until) with its default 5 s: well before a
// held Slack call times out (10 s), which would retry the job and muddle what the test shows.
describe('renewing the lease on an outbox job (PostgreSQL)', () => {
  let replicaA: PgDatabase;
  let replicaB: PgDatabase;

  beforeAll(async () => {
    const url = await testDatabase();
    // Two pools, as two processes would have.
    [replicaA, replicaB] = await Promise.all([openPostgres(url, { poolSize: 4 }), openPostgres(url, { poolSize: 4 })]);
  });

  afterAll(async () => {
    await Promise.all([replicaA?.close(), replicaB?.close()]);
  });

  it("keeps the job its holder's past the end of the lease it was claimed with", async () => {
    const incidentId = await newIncident(replicaA.db);
    await queuePost(replicaA.db, incidentId, 'slow');
    const held = await claimNextInLane(replicaA.db, incidentId, 10_000, claimOf('a'));
    if (!held) throw new Error('not claimed');

    // Renewed before it ran out (claimed until 40 000): now until 65 000.
    expect(await renewLease(replicaA.db, held.id, 35_000, claimOf('a'))).toBe(true);
    expect(await jobRow(replicaA.db, held.id)).toMatchObject({ claimedBy: 'a', leaseUntil: 65_000, attempts: 1 });

    // After the lease it was claimed with, before the renewed one: nobody else's.
    expect(await claimNextInLane(replicaB.db, incidentId, 50_000, claimOf('b'))).toBeNull();
    expect((await laneHeads(replicaB.db, 50_000)).map((entry) => entry.incidentId)).not.toContain(incidentId);
    expect(await nextNotBefore(replicaB.db, 50_000)).toBe(65_001);
    // A renewal never shortens the lease, whatever `now` it is given.
    expect(await renewLease(replicaA.db, held.id, 20_000, claimOf('a'))).toBe(true);
    expect((await jobRow(replicaA.db, held.id)).leaseUntil).toBe(65_000);

    // Once the renewed lease has run out too (the holder died), it is taken over.
    expect(await claimNextInLane(replicaB.db, incidentId, 65_001, claimOf('b'))).toMatchObject({ id: held.id, attempts: 1 });
  });

  it('refuses a renewal by a replica that lost the job, and changes nothing', async () => {
    const incidentId = await newIncident(replicaA.db);
    await queuePost(replicaA.db, incidentId, 'stalled');
    const held = await claimNextInLane(replicaA.db, incidentId, 10_000, claimOf('a'));
    if (!held) throw new Error('not claimed');
    // A stalled past its lease without renewing: B takes the job over.
    expect(await claimNextInLane(replicaB.db, incidentId, 40_001, claimOf('b'))).toMatchObject({ id: held.id });
    const taken = await jobRow(replicaA.db, held.id);
    expect(taken).toMatchObject({ claimedBy: 'b', leaseUntil: 70_001, attempts: 2 });

    expect(await renewLease(replicaA.db, held.id, 40_002, claimOf('a'))).toBe(false);
    expect(await jobRow(replicaA.db, held.id)).toEqual(taken);
  });

  it('records nothing from a replica that lost the job over what its new holder does', async () => {
    const incidentId = await newIncident(replicaA.db);
    await queuePost(replicaA.db, incidentId, 'twice');
    const held = await claimNextInLane(replicaA.db, incidentId, 10_000, claimOf('a'));
    if (!held) throw new Error('not claimed');
    await claimNextInLane(replicaB.db, incidentId, 40_001, claimOf('b'));
    const taken = await jobRow(replicaA.db, held.id);

    // A comes back from Slack: whatever it learnt, the job and its lane stay B's.
    expect(await markSent(replicaA.db, held.id, 40_010, 'a')).toBe(false);
    expect(await markFailed(replicaA.db, held.id, 40_011, 'channel_not_found', 'a')).toBe(false);
    await noteError(replicaA.db, held.id, 'timed out', 'a');
    expect(await jobRow(replicaA.db, held.id)).toEqual(taken);
    expect(await claimNextInLane(replicaA.db, incidentId, 40_012, claimOf('a'))).toBeNull();

    // B finishes it; a job done has no lease left to renew.
    expect(await renewLease(replicaB.db, held.id, 40_020, claimOf('b'))).toBe(true);
    expect(await markSent(replicaB.db, held.id, 40_030, 'b')).toBe(true);
    expect(await jobRow(replicaA.db, held.id)).toMatchObject({ doneAt: 40_030, failed: false, claimedBy: null, leaseUntil: null });
    expect(await renewLease(replicaB.db, held.id, 40_040, claimOf('b'))).toBe(false);
  });

  /**
   * A's write (late: its lease ended at 40 000) made and held uncommitted while B claims
   * the same lane at 41 000; B's claim is seen waiting on the row A's write holds, then A
   * commits. What each got.
   */
  async function lateWriteDuringTakeover(write: (tx: PgRunner, id: number) => Promise<boolean>) {
    const incidentId = await newIncident(replicaA.db);
    await queuePost(replicaA.db, incidentId, 'late');
    const held = await claimNextInLane(replicaA.db, incidentId, 10_000, claimOf('a'));
    if (!held) throw new Error('not claimed');

    let commit!: () => void;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    let made!: () => void;
    const written = new Promise<void>((resolve) => (made = resolve));
    const wrote = replicaA.db.transaction(async (tx) => {
      const ok = await write(tx, held.id);
      made();
      await committing;
      return ok;
    });
    await written;
    const claim = claimNextInLane(replicaB.db, incidentId, 41_000, claimOf('b'));
    await until("B's claim to wait on the row A's write holds", async () => {
      const { rows } = await replicaA.pool.query<{ waiting: number }>(
        "select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
      );
      return (rows[0]?.waiting ?? 0) > 0;
    });
    commit();
    return { wrote: await wrote, claimed: await claim, row: await jobRow(replicaA.db, held.id) };
  }

  it("keeps the job its holder's when a late renewal commits while another replica is taking it over", async () => {
    const { wrote, claimed, row } = await lateWriteDuringTakeover((tx, id) => renewLease(tx, id, 40_500, claimOf('a')));
    expect(wrote).toBe(true);
    expect(claimed).toBeNull();
    expect(row).toMatchObject({ claimedBy: 'a', leaseUntil: 70_500, attempts: 1 });
  });

  it('leaves a job alone that its late holder marks sent while another replica is taking it over', async () => {
    const { wrote, claimed, row } = await lateWriteDuringTakeover((tx, id) => markSent(tx, id, 40_500, 'a'));
    expect(wrote).toBe(true);
    expect(claimed).toBeNull();
    expect(row).toMatchObject({ doneAt: 40_500, claimedBy: null, attempts: 1 });
  });
});

describe('the outbox worker on PostgreSQL', () => {
  const LEASE_SECONDS = 1;
  const T = Date.parse('2024-05-01T10:00:00.000Z');
  const at = (ms: number) => new Date(T + ms).toISOString();

  let sim: SlackSimulator | undefined;
  const doors: Server[] = [];
  const replicas: Sandbox[] = [];
  let check: PgDatabase | undefined;
  let releaseHeld: () => void = () => {};

  afterEach(async () => {
    releaseHeld();
    for (const replica of replicas.splice(0)) await replica.stop();
    for (const door of doors.splice(0)) {
      door.closeAllConnections();
      await new Promise((resolve) => door.close(resolve));
    }
    await check?.close();
    await sim?.close();
  });

  /** A replica of the bot on `databaseUrl`, reaching Slack through `slackApiUrl`, its log kept in `logs`. */
  async function startReplica(databaseUrl: string, slackApiUrl: string, clock: TestClock, logs: Array<{ level: number; msg: string }>): Promise<Sandbox> {
    const logger = createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line) as { level: number; msg: string }) } as pino.DestinationStream);
    const replica = await startSandbox({
      databasePath: '/nonexistent/unused.sqlite',
      databaseUrl,
      sim: sim!,
      now: clock.now,
      logger,
      env: { SLACK_API_URL: slackApiUrl, OUTBOX_LEASE_SECONDS: String(LEASE_SECONDS) },
      reminderIntervalMs: null,
    });
    replicas.push(replica);
    return replica;
  }

  it('keeps the lease alive while a Slack call is held, so a second replica does not take the job', async () => {
    const clock = new TestClock(T);
    sim = await startSlackSimulator({ now: clock.now });
    const channel = sim.addChannel({ name: 'inc-1-slow-slack' });
    // Replica A's door holds its post until the test lets it through; B's lets everything by.
    let seen!: () => void;
    const heldAtDoor = new Promise<void>((resolve) => (seen = resolve));
    const released = new Promise<void>((resolve) => (releaseHeld = resolve));
    const doorA = await startSlackDoor(sim.apiUrl, {
      before: async (path) => {
        if (!path.endsWith('/chat.postMessage')) return;
        seen();
        await released;
      },
    });
    const doorB = await startSlackDoor(sim.apiUrl);
    doors.push(doorA.server, doorB.server);

    const databaseUrl = await storeDatabase();
    check = await openPostgres(databaseUrl, { poolSize: 2 });
    const logsA: Array<{ level: number; msg: string }> = [];
    const logsB: Array<{ level: number; msg: string }> = [];
    const a = await startReplica(databaseUrl, doorA.url, clock, logsA);

    const incidentId = await newIncident(check.db, channel.id);
    const jobId = await queuePost(check.db, incidentId, 'Mitigated: traffic drained from eu-west-1');
    a.sitrep.ctx.outbox.kick();
    await heldAtDoor;
    const claimed = await jobRow(check.db, jobId);
    expect(claimed).toMatchObject({ attempts: 1, leaseUntil: T + LEASE_SECONDS * 1000, doneAt: null });

    // Shortly before the lease runs out on the bot's clock, A renews it from there.
    clock.set(at(900));
    await until('replica A to renew its lease while its post is held', async () => (await jobRow(check!.db, jobId)).leaseUntil === T + 1_900);
    // Past the lease A claimed the job with, before the renewed one, B starts and looks for work.
    clock.set(at(1_500));
    const b = await startReplica(databaseUrl, doorB.url, clock, logsB);
    b.sitrep.ctx.outbox.kick();
    await b.sitrep.ctx.tasks.idle();

    expect(await jobRow(check.db, jobId)).toMatchObject({ claimedBy: claimed.claimedBy, attempts: 1, doneAt: null });
    expect(sim.callsOf('chat.postMessage')).toHaveLength(0);

    releaseHeld();
    await sim.waitFor(() => sim!.messages(channel.id).some((message) => message.botId), { what: 'the held post in the channel' });
    const done = await until('the job marked sent', async () => {
      const row = await jobRow(check!.db, jobId);
      return row.doneAt !== null && row;
    });
    expect(done).toMatchObject({ doneAt: T + 1_500, failed: false, attempts: 1, claimedBy: null, leaseUntil: null });
    expect(sim.messages(channel.id).filter((message) => message.botId)).toHaveLength(1);
    expect(sim.callsOf('chat.postMessage')).toHaveLength(1);
    await a.sitrep.ctx.tasks.idle();
    for (const logs of [logsA, logsB]) expect(logs.filter((line) => line.level >= 40)).toEqual([]);
  });
});
