// Stopping always stops: SIGTERM ends the process within its deadline even when
// Slack's API takes connections and never answers and stdout has been closed
// (every log line then fails with EPIPE). What was queued for Slack is kept and
// goes out after the restart.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { U_ALICE } from '../../harness/simulator/constants.js';
import { SlackDriver } from '../../harness/simulator/driver.js';
import { startSlackSimulator, type SlackSimulator } from '../../harness/simulator/server.js';
import { startProcess, type Running } from '../support/process.js';

const SECRET = 'stop-test-secret';

let dir: string;
let sim: SlackSimulator;
let blackhole: Server;
const sockets: Socket[] = [];
const running: Running[] = [];

afterEach(async () => {
  for (const process of running) process.signal('SIGKILL');
  await Promise.all(running.map((process) => process.exited));
  running.length = 0;
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => blackhole.close(resolve));
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

let connected: (() => void) | undefined;

/** A Slack that takes every connection and never says a word. */
async function startBlackhole(): Promise<string> {
  blackhole = createServer((socket) => {
    sockets.push(socket);
    connected?.();
  });
  await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  const { port } = blackhole.address() as { port: number };
  return `http://127.0.0.1:${port}/api/`;
}

function start(databasePath: string, slackApiUrl: string): Running {
  const app = startProcess({
    SLACK_BOT_TOKEN: sim.botToken,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slackApiUrl,
    PORT: '0',
    DATABASE_PATH: databasePath,
    LOG_LEVEL: 'info',
  });
  running.push(app);
  return app;
}

describe('SIGTERM', () => {
  it('stops when Slack cannot be reached and stdout is closed, and the queued work goes out after a restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sitrep-stop-'));
    const databasePath = join(dir, 'sitrep.sqlite');
    sim = await startSlackSimulator();
    const general = sim.addChannel({ name: 'general' });
    const unreachable = await startBlackhole();

    const app = start(databasePath, unreachable);
    const listening = await app.waitForLog((line) => line.msg === 'sitrep is listening');
    const driver = new SlackDriver({ appUrl: `http://127.0.0.1:${String(listening.port)}/slack/events`, signingSecret: SECRET, simulator: sim });
    // Recorded and acknowledged without Slack's API: only the channel waits for it.
    const declared = await driver.command({ userId: U_ALICE, channelId: general.id, text: 'declare sev1 Nothing answers' });
    expect(declared.acknowledged).toBe(true);
    // auth.test, then the outbox's conversations.create: both hang.
    await new Promise<void>((resolve) => {
      connected = () => sockets.length >= 2 && resolve();
      connected();
    });

    app.closeStdout();
    const health = await fetch(`http://127.0.0.1:${String(listening.port)}/healthz`);
    expect(health.status).toBe(200); // a log line failed with EPIPE meanwhile; still serving
    app.signal('SIGTERM');
    expect(await app.exited).toBe(0);

    // Back, with Slack answering: the channel the declare queued is opened, once.
    const again = start(databasePath, sim.apiUrl);
    await again.waitForLog((line) => line.msg === 'sitrep is listening');
    const channel = await sim.waitFor(() => sim.channelByName('inc-1-nothing-answers')?.pins.size ? sim.channelByName('inc-1-nothing-answers') : undefined, {
      what: 'the incident channel opened after the restart',
    });
    expect(channel.members.has(U_ALICE)).toBe(true);
    expect(sim.callsOf('conversations.create').filter((call) => call.ok)).toHaveLength(1);
  });
});
