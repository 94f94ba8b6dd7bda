// What lets several replicas share one PostgreSQL database without sending anything
// twice, on a real server: outbox lane heads claimed with SKIP LOCKED and a lease
// (each job done once, each lane in order, a dead replica's job taken over when its
// lease runs out), and a reminder claimed by one replica per due time.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type PgDatabase } from '../../src/db/pg/connection.js';
import { claimLaneHeads, completeJob } from '../../src/db/pg/outbox.js';
import { claimUpdateReminder } from '../../src/db/pg/reminders.js';
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
  it('sends every job once, each lane in order, with two replicas claiming at the same time', async () => {
    const lanes = await Promise.all(Array.from({ length: 12 }, (_, index) => newIncident(replicaA.db, `lane ${index}`)));
    const queued: number[] = [];
    for (let step = 0; step < 4; step += 1) {
      for (const incidentId of lanes) {
        const [row] = await replicaA.db
          .insert(outbox)
          .values({ incidentId, kind: 'post', payload: { step }, createdAt: step })
          .returning({ id: outbox.id });
        if (row) queued.push(row.id);
      }
    }
    const sent: Array<{ replica: string; id: number; incidentId: number; step: number }> = [];
    const work = async (name: string, db: PgDatabase['db']): Promise<void> => {
      for (let idle = 0; idle < 50 && sent.length < queued.length; ) {
        const jobs = await claimLaneHeads(db, name, 1_000, 30_000, 3);
        if (jobs.length === 0) {
          idle += 1;
          await new Promise<void>((resolve) => setImmediate(resolve));
          continue;
        }
        for (const job of jobs) {
          sent.push({ replica: name, id: job.id, incidentId: job.incidentId, step: job.payload.step as number });
          expect(await completeJob(db, name, job.id, 1_000)).toBe(true);
        }
      }
    };
    await Promise.all([work('a', replicaA.db), work('b', replicaB.db)]);

    expect(sent.map((job) => job.id).sort((x, y) => x - y)).toEqual([...queued].sort((x, y) => x - y));
    for (const incidentId of lanes) {
      expect(sent.filter((job) => job.incidentId === incidentId).map((job) => job.step)).toEqual([0, 1, 2, 3]);
    }
    // Both replicas took part, so the test says something about two of them.
    expect(new Set(sent.map((job) => job.replica)).size).toBe(2);
  });

  it("takes over a dead replica's job once its lease has run out, and not before", async () => {
    const incidentId = await newIncident(replicaA.db, 'orphan');
    await replicaA.db.insert(outbox).values({ incidentId, kind: 'post', payload: {}, createdAt: 0 });
    const [held] = await claimLaneHeads(replicaA.db, 'dead', 10_000, 30_000, 10);
    expect(held?.incidentId).toBe(incidentId);
    expect(await claimLaneHeads(replicaB.db, 'alive', 39_999, 30_000, 10)).toEqual([]);
    const [taken] = await claimLaneHeads(replicaB.db, 'alive', 40_001, 30_000, 10);
    expect(taken).toMatchObject({ id: held?.id, attempts: 2 });
    // The dead replica, back from a pause, no longer holds it.
    expect(await completeJob(replicaA.db, 'dead', held?.id ?? 0, 40_002)).toBe(false);
    expect(await completeJob(replicaB.db, 'alive', held?.id ?? 0, 40_003)).toBe(true);
  });
});

describe('reminder claims across replicas', () => {
  it('lets exactly one of many replicas claim a due reminder, and none claim it again before the next is due', async () => {
    const number = await newIncident(replicaA.db, 'quiet');
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, index) => claimUpdateReminder(index % 2 === 0 ? replicaA.db : replicaB.db, number, 60_000, 90_000 + index)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    // 30 s later the next one is not yet due (interval 60 s): nobody claims.
    expect(await claimUpdateReminder(replicaB.db, number, 120_000 - 60_000, 120_000)).toBe(false);
    // A minute after the first, it is due again, once.
    const next = await Promise.all([claimUpdateReminder(replicaA.db, number, 151_000 - 60_000, 151_000), claimUpdateReminder(replicaB.db, number, 151_000 - 60_000, 151_000)]);
    expect(next.filter(Boolean)).toHaveLength(1);
  });
});
