// What lets several replicas share one PostgreSQL database without sending anything
// twice, on a real server: outbox jobs claimed one lane at a time with a lease (each
// job done once, each lane in order, a dead replica's job taken over when its lease
// runs out), and a due nudge marked, and so queued, by one replica.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type PgDatabase } from '../../src/db/pg/connection.js';
import { eq } from 'drizzle-orm';
import { claimNextInLane, laneHeads, markSent, nextNotBefore, noteError } from '../../src/db/pg/outbox.js';
import { markUpdateReminded } from '../../src/db/pg/reminders.js';
import { incidents, outbox } from '../../src/db/pg/schema.js';
import { testDatabase } from '../support/postgres.js';

let replicaA: PgDatabase;
let replicaB: PgDatabase;

beforeAll(async () => {
  const url = await testDatabase();
  // Two pools, as two processes would have; both migrate at once, under the lock.
  [replicaA, replicaB] = await Promise.all([openPostgres(url, { poolSize: 4 }), openPostgres(url, { poolSize: 4 })]);
});

afterAll(async () => {
  await Promise.all([replicaA?.close(), replicaB?.close()]);
});

async function newIncident(db: PgDatabase['db'], title: string): Promise<number> {
  const [row] = await db
    .insert(incidents)
    .values({ title, severity: 'sev3', status: 'investigating', declaredBy: 'U1', timeZone: 'UTC', declaredAt: 0 })
    .returning({ id: incidents.id });
  if (!row) throw new Error('no incident');
  return row.id;
}

describe('outbox claims across replicas', () => {
  const claimOf = (replica: string) => ({ replica, leaseMs: 30_000 });

  it('sends every job once, each lane in order, with two replicas claiming at the same time', async () => {
    const lanes = await Promise.all(Array.from({ length: 12 }, (_, index) => newIncident(replicaA.db, `lane ${index}`)));
    const queued: number[] = [];
    for (let step = 0; step < 4; step += 1) {
      for (const incidentId of lanes) {
        const [row] = await replicaA.db
          .insert(outbox)
          .values({ incidentId, kind: 'post', payload: { channel: 'incident', text: String(step) }, createdAt: step })
          .returning({ id: outbox.id });
        if (row) queued.push(row.id);
      }
    }
    const sent: Array<{ replica: string; id: number; incidentId: number; step: string }> = [];
    // Each replica works every lane in turn, as its worker does, with both at it at once.
    const work = async (name: string, db: PgDatabase['db']): Promise<void> => {
      for (let idle = 0; idle < 50 && sent.length < queued.length; ) {
        let took = false;
        for (const incidentId of lanes) {
          const job = await claimNextInLane(db, incidentId, 1_000, claimOf(name));
          if (!job) continue;
          took = true;
          sent.push({ replica: name, id: job.id, incidentId: job.incidentId, step: job.job.kind === 'post' ? job.job.text : '' });
          await markSent(db, job.id, 1_000, name);
        }
        if (!took) idle += 1;
      }
    };
    await Promise.all([work('a', replicaA.db), work('b', replicaB.db)]);

    expect(sent.map((job) => job.id).sort((x, y) => x - y)).toEqual([...queued].sort((x, y) => x - y));
    for (const incidentId of lanes) {
      expect(sent.filter((job) => job.incidentId === incidentId).map((job) => job.step)).toEqual(['0', '1', '2', '3']);
    }
    // Both replicas took part, so the test says something about two of them.
    expect(new Set(sent.map((job) => job.replica)).size).toBe(2);
  });

  it("takes over a dead replica's job once its lease has run out, and not before", async () => {
    const incidentId = await newIncident(replicaA.db, 'orphan');
    await replicaA.db.insert(outbox).values({ incidentId, kind: 'post', payload: { channel: 'incident', text: 'hello' }, createdAt: 0 });
    const held = await claimNextInLane(replicaA.db, incidentId, 10_000, claimOf('dead'));
    expect(held).toMatchObject({ incidentId, attempts: 0 });
    // While the lease runs, the lane is nobody else's: not offered to send, not claimable.
    expect((await laneHeads(replicaB.db, 39_999)).map((entry) => entry.incidentId)).not.toContain(incidentId);
    expect(await claimNextInLane(replicaB.db, incidentId, 39_999, claimOf('alive'))).toBeNull();
    // The worker that holds no lease is woken when it ends.
    expect(await nextNotBefore(replicaB.db, 39_999)).toBe(40_001);
    // Then it is taken over, with the dead replica's attempt counted: the next one looks before it posts.
    expect(await claimNextInLane(replicaB.db, incidentId, 40_001, claimOf('alive'))).toMatchObject({ id: held?.id, attempts: 1 });
    // The first one, back from a long wait on Slack, fails its attempt: the job stays the
    // second one's, not free for a third.
    await noteError(replicaA.db, held?.id ?? 0, 'timed out', 'dead');
    expect(await claimNextInLane(replicaA.db, incidentId, 40_002, claimOf('third'))).toBeNull();
    await noteError(replicaB.db, held?.id ?? 0, 'timed out', 'alive');
    expect(await claimNextInLane(replicaA.db, incidentId, 40_003, claimOf('third'))).toMatchObject({ id: held?.id, attempts: 2 });
  });
});

describe('reminders across replicas', () => {
  it('lets exactly one of many replicas mark a due nudge, and so queue it', async () => {
    const number = await newIncident(replicaA.db, 'quiet');
    const marks = await Promise.all(
      Array.from({ length: 8 }, (_, index) => markUpdateReminded(index % 2 === 0 ? replicaA.db : replicaB.db, number, 90_000 + index, null)),
    );
    expect(marks.filter(Boolean)).toHaveLength(1);
    // The next one is due later: of the passes that saw the first mark, again one.
    const seen = (await replicaA.db.select({ at: incidents.remindedAt }).from(incidents).where(eq(incidents.id, number)))[0]?.at ?? null;
    const next = await Promise.all([markUpdateReminded(replicaA.db, number, 151_000, seen), markUpdateReminded(replicaB.db, number, 151_001, seen)]);
    expect(next.filter(Boolean)).toHaveLength(1);
  });
});
