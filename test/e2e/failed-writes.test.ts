// A write that fails before its commit is never acknowledged: over HTTP Slack
// gets a 500, over Socket Mode no acknowledgement, so it delivers the event
// again; the event id is not marked as handled, so the redelivery is stored once
// the store can take it. Real faults: a full tmpfs and a write lock held by
// another connection.

import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { U_ALICE, U_BOB } from '../../harness/simulator/constants.js';
import type { DriverResponse } from '../../harness/simulator/driver.js';
import { mountSmallDisk, type SmallDisk } from '../support/small-disk.js';
import { startTestSandbox, TRANSPORTS, type TestSandbox } from '../support/sandbox.js';

let box: TestSandbox | undefined;
let disk: SmallDisk | undefined;

afterEach(async () => {
  await box?.close();
  disk?.unmount();
  box = undefined;
  disk = undefined;
});

const acknowledged = (response: DriverResponse): boolean => response.acknowledged;

/** Long enough for any acknowledgement that is coming; a failed write sends none. */
const ACK_TIMEOUT_MS = 1500;

function storedTexts(databasePath: string): string[] {
  const reader = new BetterSqlite3(databasePath, { readonly: true });
  try {
    return (reader.prepare('select text from messages order by ts').all() as Array<{ text: string }>).map((row) => row.text);
  } finally {
    reader.close();
  }
}

interface Sent {
  text: string;
  ts: string;
  eventId: string;
  response: DriverResponse;
}

async function say(sandbox: TestSandbox, channelId: string, text: string): Promise<Sent> {
  const ts = sandbox.sim.nextTs();
  const event = { type: 'message', channel: channelId, user: U_BOB, text, ts, event_ts: ts, channel_type: 'channel' };
  const response = await sandbox.driver.event(event);
  return { text, ts, eventId: response.eventId, response };
}

function redeliver(sandbox: TestSandbox, channelId: string, sent: Sent): Promise<DriverResponse> {
  const event = { type: 'message', channel: channelId, user: U_BOB, text: sent.text, ts: sent.ts, event_ts: sent.ts, channel_type: 'channel' };
  return sandbox.driver.event(event, { eventId: sent.eventId, retryNum: 1, retryReason: 'http_error' });
}

describe.each(TRANSPORTS)('a write that fails before its commit (%s)', (transport) => {
  it('is answered non-2xx on a full disk, and stored from the redelivery once there is room', async () => {
    disk = mountSmallDisk(1024);
    box = await startTestSandbox({ transport, socketAckTimeoutMs: ACK_TIMEOUT_MS, databasePath: join(disk.dir, 'data', 'sitrep.sqlite') });
    const channel = await box.declare(U_ALICE, 'declare sev2 Disk fills up');
    await box.sitrep.ctx.tasks.idle();

    disk.fill();
    const sent: Sent[] = [];
    // Until two are refused: the first writes may still fit in pages SQLite already has.
    for (let i = 0; i < 40 && sent.filter((s) => !acknowledged(s.response)).length < 2; i++) {
      sent.push(await say(box, channel.id, `said while the disk was full ${i}`));
    }
    const refused = sent.filter((s) => !acknowledged(s.response));
    expect(refused.length).toBe(2);
    // HTTP: a 5xx; Socket Mode: no acknowledgement at all.
    expect(refused.every((s) => (transport === 'http' ? s.response.status >= 500 : s.response.status === 0))).toBe(true);
    expect(box.errors().some((line) => /listener failed/.test(line.msg))).toBe(true);
    // Whatever was acknowledged is stored; nothing else is.
    const whileFull = storedTexts(box.databasePath);
    for (const s of sent) expect(whileFull.includes(s.text)).toBe(acknowledged(s.response));

    disk.free();
    for (const s of refused) expect(acknowledged(await redeliver(box, channel.id, s))).toBe(true);
    const after = storedTexts(box.databasePath);
    for (const s of sent) expect(after.filter((text) => text === s.text)).toHaveLength(1);
  });

  it('is answered non-2xx while another connection holds the write lock, and stored from the redelivery', async () => {
    box = await startTestSandbox({ transport, socketAckTimeoutMs: ACK_TIMEOUT_MS, busyTimeoutMs: 50 });
    const channel = await box.declare(U_ALICE, 'declare sev2 Locked out');
    await box.sitrep.ctx.tasks.idle();

    const holder = new BetterSqlite3(box.databasePath);
    holder.exec('BEGIN IMMEDIATE');
    const blocked = await say(box, channel.id, 'said while the lock was held');
    holder.exec('ROLLBACK');
    holder.close();
    expect(acknowledged(blocked.response)).toBe(false);
    expect(blocked.response.status).toBe(transport === 'http' ? 500 : 0);
    expect(storedTexts(box.databasePath)).not.toContain('said while the lock was held');

    expect(acknowledged(await redeliver(box, channel.id, blocked))).toBe(true);
    expect(storedTexts(box.databasePath).filter((text) => text === 'said while the lock was held')).toHaveLength(1);
  });
});
