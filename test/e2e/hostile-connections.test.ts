// Connections that are not Slack's, against the real app in its own process:
// hundreds of unsigned bodies just under the limit must not run it out of
// memory nor keep Slack's own requests out, and connections that stall (a body
// that stops, headers half sent, a connection that never says a word) must not
// hold a SIGTERM.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_GUARD_POLICY } from '../../src/http/guard.js';
import { U_ALICE, U_BOB } from '../../harness/simulator/constants.js';
import { SlackDriver } from '../../harness/simulator/driver.js';
import { startSlackSimulator, type SlackSimulator } from '../../harness/simulator/server.js';
import { startProcess, type Running } from '../support/process.js';
import { startSlackDoor } from '../support/slack-door.js';

const SECRET = 'hostile-connections-secret';
const ATTACKERS = 300;
/** Peak RSS under the attack may exceed the idle RSS by this much. */
const RSS_ALLOWANCE_KB = 100 * 1024;

let dir: string | undefined;
let sim: SlackSimulator | undefined;
let proxy: Server | undefined;
const running: Running[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.length = 0;
  for (const app of running) app.signal('SIGKILL');
  await Promise.all(running.map((app) => app.exited));
  running.length = 0;
  if (proxy) {
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy!.close(resolve));
  }
  proxy = undefined;
  await sim?.close();
  sim = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function startApp(slackApiUrl: string): Promise<{ app: Running; port: number; driver: SlackDriver; databasePath: string }> {
  dir = mkdtempSync(join(tmpdir(), 'sitrep-hostile-'));
  const databasePath = join(dir, 'sitrep.sqlite');
  const app = startProcess({
    SLACK_BOT_TOKEN: sim!.botToken,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slackApiUrl,
    PORT: '0',
    DATABASE_PATH: databasePath,
    LOG_LEVEL: 'info',
  });
  running.push(app);
  const listening = await app.waitForLog((line) => line.msg === 'sitrep is listening');
  const port = Number(listening.port);
  const driver = new SlackDriver({ appUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret: SECRET, simulator: sim! });
  return { app, port, driver, databasePath };
}

/** The resident set of a process, in KB, as the kernel counts it. */
function rssKb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]);
}

/** Headers as an attacker would send them: well-formed signing headers, dated now, signed with nothing. */
function forgedHead(port: number, extra: Record<string, string>, lastLine = '\r\n'): string {
  const headers = {
    host: `127.0.0.1:${port}`,
    'content-type': 'application/json',
    'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
    'x-slack-signature': `v0=${randomBytes(32).toString('hex')}`,
    ...extra,
  };
  return `POST /slack/events HTTP/1.1\r\n${Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('')}${lastLine}`;
}

/** A raw connection, closed after the test; resolves once connected. */
function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    socket.once('connect', () => {
      socket.off('error', reject);
      // Refused connections are reset by the server while bytes are still on their way.
      socket.on('error', () => {});
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

function written(socket: Socket, data: string | Buffer): Promise<void> {
  return new Promise((resolve) => socket.write(data, () => resolve()));
}

describe('unsigned bodies just under the limit, from hundreds of connections', () => {
  it('hold little memory and do not keep out a signed event', async () => {
    sim = await startSlackSimulator();
    const general = sim.addChannel({ name: 'general' });
    const { app, port, driver, databasePath } = await startApp(sim.apiUrl);
    await driver.command({ userId: U_ALICE, channelId: general.id, text: 'declare sev1 Under siege' });
    const channel = await sim.waitFor(() => {
      const opened = sim!.channelByName('inc-1-under-siege');
      return opened && opened.pins.size > 0 ? opened : undefined;
    }, { what: 'the incident channel' });
    // Warm: a message recorded once already, so the attack is all that differs.
    expect((await driver.message({ channelId: channel.id, userId: U_BOB, text: 'before the attack' })).status).toBe(200);
    await driver.idle();
    const idleKb = rssKb(app.pid);

    let peakKb = idleKb;
    const sampler = setInterval(() => {
      try {
        peakKb = Math.max(peakKb, rssKb(app.pid));
      } catch {
        // Gone: the assertions below say why.
      }
    }, 5);
    try {
      // Every connection declares the limit and sends all of it but the last byte, in one write.
      const body = Buffer.alloc(DEFAULT_GUARD_POLICY.bodyLimitBytes - 1, 'a');
      const statuses: number[] = [];
      const attackers = await Promise.all(Array.from({ length: ATTACKERS }, () => open(port)));
      const attack = attackers.map((socket) => {
        // Settled once the app has answered it (503, refused unread), cut it (a reset can
        // overtake the answer), or taken its whole body (held).
        const answered = new Promise<void>((resolve) => {
          socket.once('data', (chunk: Buffer) => {
            statuses.push(Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1'))?.[1] ?? 0));
            resolve();
          });
          socket.once('close', () => resolve());
        });
        socket.write(forgedHead(port, { 'content-length': String(DEFAULT_GUARD_POLICY.bodyLimitBytes) }));
        return Promise.race([answered, written(socket, body)]);
      });

      // All of them connected and sending: a signed message mid-flood.
      const started = Date.now();
      const during = await driver.message({ channelId: channel.id, userId: U_BOB, text: 'signed, during the attack' });
      const duringMs = Date.now() - started;

      // Then again once every attacker has been refused or is holding what it may.
      await Promise.all(attack);
      const heldStarted = Date.now();
      const whileHeld = await driver.message({ channelId: channel.id, userId: U_BOB, text: 'signed, while the attack holds' });
      const heldMs = Date.now() - heldStarted;
      peakKb = Math.max(peakKb, rssKb(app.pid));

      expect(during.status).toBe(200);
      expect(whileHeld.status).toBe(200);
      // None of the forged requests got in.
      expect(statuses.filter((status) => status < 400)).toEqual([]);
      const database = new BetterSqlite3(databasePath, { readonly: true });
      const texts = (database.prepare('select text from messages').all() as Array<{ text: string }>).map((row) => row.text);
      database.close();
      expect(texts).toEqual(expect.arrayContaining(['signed, during the attack', 'signed, while the attack holds']));

      const refused = statuses.filter((status) => status === 503).length;
      const held = attackers.filter((socket) => !socket.destroyed && socket.bytesRead === 0).length;
      console.log(
        `hostile bodies: idle RSS ${Math.round(idleKb / 1024)} MB, peak ${Math.round(peakKb / 1024)} MB under ${ATTACKERS} connections ` +
          `(${refused} answered 503, ${ATTACKERS - refused - held} cut before the answer was read, ${held} held open); ` +
          `a signed event answered in ${duringMs} ms mid-flood, ${heldMs} ms while the attack held`,
      );
      expect(peakKb - idleKb).toBeLessThanOrEqual(RSS_ALLOWANCE_KB);
    } finally {
      clearInterval(sampler);
    }
  });
});

/** Slack's API through a door that holds views.open until let through; everything else passes. */
async function startHoldingProxy(target: string): Promise<{ url: string; held: Promise<void>; release: () => void }> {
  let seen!: () => void;
  const held = new Promise<void>((resolve) => (seen = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const door = await startSlackDoor(target, {
    before: async (path) => {
      if (!path.endsWith('/views.open')) return;
      seen();
      await released;
    },
  });
  proxy = door.server;
  return { url: door.url, held, release };
}

describe('SIGTERM with stalled connections open', () => {
  it('finishes the signed request in flight and stops without waiting out the deadline', async () => {
    sim = await startSlackSimulator();
    const general = sim.addChannel({ name: 'general' });
    const slack = await startHoldingProxy(sim.apiUrl);
    const { app, port, driver } = await startApp(slack.url);

    // A body that stops, headers that stop, and a connection that says nothing.
    const slowBody = await open(port);
    await written(slowBody, forgedHead(port, { 'content-length': '1000' }) + '{"type":"event_callback",');
    const partialHeaders = await open(port);
    await written(partialHeaders, forgedHead(port, {}, '').slice(0, 80));
    const silent = await open(port);
    const closed = [slowBody, partialHeaders, silent].map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));

    // A signed command in flight: answered only once views.open has been.
    const command = driver.command({ userId: U_ALICE, channelId: general.id, text: 'declare' });
    await slack.held;

    const signalled = Date.now();
    app.signal('SIGTERM');
    await app.waitForLog((line) => line.msg === 'stopping');
    slack.release();
    const answer = await command;
    expect(answer.status).toBe(200);

    expect(await app.exited).toBe(0);
    const exitedMs = Date.now() - signalled;
    const stopped = await app.waitForLog((line) => line.msg === 'stopped');
    // Stopped because everything finished, not because the stop deadline ran out.
    expect(stopped).toMatchObject({ outcome: 'finished' });
    await Promise.all(closed);
    console.log(`SIGTERM with a stalled body, half-sent headers and a silent connection open: stopped in ${String(stopped.ms)} ms (exited ${exitedMs} ms after the signal)`);
  });
});
