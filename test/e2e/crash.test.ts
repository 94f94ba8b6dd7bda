// Kill -9 (or a graceful SIGTERM) in the middle of a burst, over HTTP and over
// Socket Mode, on SQLite and (kill -9 over HTTP) on PostgreSQL: every event Slack was answered
// 200 for (or whose envelope was acknowledged) is still there after the restart,
// because the answer goes out only after the commit.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { U_ALICE, U_BOB } from '../../harness/simulator/constants.js';
import { SlackDriver } from '../../harness/simulator/driver.js';
import { startSlackSimulator, type SlackSimulator } from '../../harness/simulator/server.js';
import { storeDatabase, withClient } from '../support/postgres.js';
import { startProcess, type Running } from '../support/process.js';

const SECRET = 'crash-test-secret';
const BURST = 400;
const KILL_AFTER_ACKS = 60;
const CONCURRENCY = 16;
/**
 * How long the simulated Slack waits for an envelope's ack (Slack's own is 3 s). An
 * envelope sent between the bot's exit and the test seeing it waits this long for a
 * connection; an ack later than this only makes an event count as unacknowledged,
 * which the test allows.
 */
const ACK_TIMEOUT_MS = 1000;

/**
 * One case's world: its own simulator, folder and processes, so the four cases run
 * side by side (most of each is waiting for a process to start or a burst to drain).
 */
interface World {
  dir: string;
  sim: SlackSimulator;
  running: Running[];
  /** Where the bot keeps its data: DATABASE_PATH, and DATABASE_URL on PostgreSQL. */
  store: Record<string, string>;
}

async function cleanUp(world: World): Promise<void> {
  for (const process of world.running) process.signal('SIGKILL');
  await Promise.all(world.running.map((process) => process.exited));
  await world.sim.close();
  rmSync(world.dir, { recursive: true, force: true });
}

async function startApp(world: World, transport: 'http' | 'socket'): Promise<SlackDriver> {
  const { sim } = world;
  const app = startProcess({
    SLACK_BOT_TOKEN: sim.botToken,
    ...(transport === 'socket' ? { SLACK_APP_TOKEN: sim.appToken } : { SLACK_SIGNING_SECRET: SECRET }),
    SLACK_API_URL: sim.apiUrl,
    PORT: '0',
    ...world.store,
    LOG_LEVEL: 'info',
  });
  world.running.push(app);
  const listening = await app.waitForLog((line) => line.msg === 'sitrep is listening');
  if (transport === 'socket') return new SlackDriver({ transport, simulator: sim });
  return new SlackDriver({ appUrl: `http://127.0.0.1:${String(listening.port)}/slack/events`, signingSecret: SECRET, simulator: sim });
}

describe('a stop during a burst of events', () => {
  it.concurrent.each([
    ['SIGKILL', null, 'http', 'sqlite'],
    ['SIGTERM', 0, 'http', 'sqlite'],
    ['SIGKILL', null, 'socket', 'sqlite'],
    ['SIGTERM', 0, 'socket', 'sqlite'],
    ['SIGKILL', null, 'http', 'postgres'],
  ] as const)('keeps every event that was acknowledged (%s, exit %s, over %s, on %s)', async (signal, exitCode, transport, store) => {
    const dir = mkdtempSync(join(tmpdir(), 'sitrep-crash-'));
    const world: World = {
      dir,
      sim: await startSlackSimulator({ socketAckTimeoutMs: ACK_TIMEOUT_MS }),
      running: [],
      store: { DATABASE_PATH: join(dir, 'sitrep.sqlite'), ...(store === 'postgres' ? { DATABASE_URL: await storeDatabase() } : {}) },
    };
    try {
      await burstThenRestart(world, signal, exitCode, transport);
    } finally {
      await cleanUp(world);
    }
  });
});

async function burstThenRestart(world: World, signal: 'SIGKILL' | 'SIGTERM', exitCode: number | null, transport: 'http' | 'socket'): Promise<void> {
  const { sim } = world;
  const general = sim.addChannel({ name: 'general' });
  const driver = await startApp(world, transport);
  await driver.command({ userId: U_ALICE, channelId: general.id, text: 'declare sev1 Crash test' });
  const channel = await sim.waitFor(() => {
    const opened = sim.channelByName('inc-1-crash-test');
    return opened && opened.pins.size > 0 ? opened : undefined;
  }, { what: 'the incident channel' });

  const acked: string[] = [];
  let refused = 0;
  const victim = world.running[0]!;
  let next = 0;
  let signalled = false;
  // Deliveries go on until the bot is seen to have exited: whatever it had not answered
  // when the signal landed, and whatever was sent after, is refused, however quickly it
  // answered the requests in flight at the moment the signal was sent.
  let gone = false;
  void victim.exited.then(() => (gone = true));
  const sender = async (): Promise<void> => {
    while (next < BURST && !gone) {
      next += 1;
      const ts = sim.nextTs();
      try {
        const response = await driver.event({ type: 'message', channel: channel.id, user: U_BOB, text: `burst ${ts}`, ts, channel_type: 'channel' });
        if (response.acknowledged) acked.push(ts);
        else refused += 1;
      } catch {
        refused += 1; // not answered: Slack would retry these
      }
      if (acked.length >= KILL_AFTER_ACKS && !signalled) {
        signalled = true;
        victim.signal(signal);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  expect(await victim.exited).toBe(exitCode);
  if (signal === 'SIGTERM') {
    // Stopped because everything finished, not because the stop deadline ran out.
    expect(await victim.waitForLog((line) => line.msg === 'stopped')).toMatchObject({ outcome: 'finished' });
  }
  expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
  // A kill leaves deliveries unanswered; a graceful stop may answer every one in flight.
  if (signal === 'SIGKILL') expect(refused).toBeGreaterThan(0);

  // Restart on the same store: it must open (and migrate) cleanly, then hold every acknowledged event.
  await startApp(world, transport);
  const stored = new Set(await storedTs(world.store));
  const lost = acked.filter((ts) => !stored.has(ts));
  expect(lost).toEqual([]);
}

/** The ts of every message the store holds, read beside the running bot. */
async function storedTs(store: Record<string, string>): Promise<string[]> {
  if (store.DATABASE_URL) {
    const { rows } = await withClient(store.DATABASE_URL, (client) => client.query<{ ts: string }>('select ts from messages'));
    return rows.map((row) => row.ts);
  }
  const database = new BetterSqlite3(store.DATABASE_PATH!, { readonly: true });
  try {
    return (database.prepare('select ts from messages').all() as Array<{ ts: string }>).map((row) => row.ts);
  } finally {
    database.close();
  }
}
