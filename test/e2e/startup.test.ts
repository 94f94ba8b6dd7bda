// `npm start` as a process: configuration errors, serving, and a clean stop.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSlackSimulator, type SlackSimulator } from '../../harness/simulator/server.js';
import { openDatabase } from '../../src/db/connection.js';
import { testDatabase } from '../support/postgres.js';
import { startProcess, type StartOptions } from '../support/process.js';

/**
 * The full start runs `npm start`'s very command; the refusals run the same entry point
 * bundled (test/support/build-app.ts), which answers the same in a fraction of the time.
 */
const NPM_START: StartOptions = { as: 'npm start' };
import { mountSmallDisk } from '../support/small-disk.js';

let dir: string;
let sim: SlackSimulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm start', () => {
  it.concurrent.each([
    [{}, /^sitrep: SLACK_BOT_TOKEN is required/],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, /^sitrep: SLACK_SIGNING_SECRET is required in HTTP mode/],
    [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', PORT: 'abc' }, /^sitrep: PORT /],
    [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', INCIDENT_TIMEZONE: 'Nowhere/Land' }, /^sitrep: INCIDENT_TIMEZONE /],
    [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', DATABASE_URL: 'mysql://db/sitrep' }, /^sitrep: DATABASE_URL must be a PostgreSQL URL/],
  ])('stops with one line naming the variable (%j)', async (env, message) => {
    const running = startProcess(env);
    expect(await running.exited).toBe(1);
    expect(running.stderr).toMatch(message);
    expect(running.stderr.trim().split('\n')).toHaveLength(1);
    expect(running.stdout).toEqual([]);
  });

  describe('refuses a store it cannot write, with one line naming the file and the reason', () => {
    const env = (databasePath: string) => ({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', PORT: '0', DATABASE_PATH: databasePath });

    it('on a read-only mount', async () => {
      const disk = mountSmallDisk(2048);
      try {
        const databasePath = join(disk.dir, 'sitrep.sqlite');
        openDatabase(databasePath).close();
        execFileSync('mount', ['-o', 'remount,ro', disk.dir]);
        const running = startProcess(env(databasePath));
        expect(await running.exited).toBe(1);
        expect(running.stderr.trim().split('\n')).toHaveLength(1);
        expect(running.stderr).toContain(`sitrep: ${databasePath} cannot be written (its file system is read-only)`);
      } finally {
        disk.unmount();
      }
    });

    it('when the file itself is read-only (a read-only bind mount over it), its folder writable', async () => {
      dir = mkdtempSync(join(tmpdir(), 'sitrep-ro-'));
      const databasePath = join(dir, 'sitrep.sqlite');
      openDatabase(databasePath).close();
      execFileSync('mount', ['--bind', databasePath, databasePath]);
      try {
        execFileSync('mount', ['-o', 'remount,ro,bind', databasePath]);
        const running = startProcess(env(databasePath));
        expect(await running.exited).toBe(1);
        expect(running.stderr.trim().split('\n')).toHaveLength(1);
        expect(running.stderr).toContain(`sitrep: ${databasePath} cannot be written (`);
      } finally {
        execFileSync('umount', [databasePath]);
      }
    });
  });

  it('migrates, serves /healthz, logs JSON (Bolt included), and stops cleanly on SIGTERM', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sitrep-start-'));
    sim = await startSlackSimulator();
    const databasePath = join(dir, 'nested', 'sitrep.sqlite');
    const running = startProcess({
      SLACK_BOT_TOKEN: sim.botToken,
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: sim.apiUrl,
      PORT: '0',
      DATABASE_PATH: databasePath,
      LOG_LEVEL: 'debug',
    }, NPM_START);
    const listening = await running.waitForLog((line) => line.msg === 'sitrep is listening');
    const port = listening.port as number;
    expect(port).toBeGreaterThan(0);
    expect(existsSync(databasePath)).toBe(true);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const unsigned = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', body: '{}' });
    expect(unsigned.status).toBe(401);
    await running.waitForLog((line) => line.component === 'bolt');

    running.signal('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(running.stdout.map((text) => (JSON.parse(text) as { msg: string }).msg)).toContain('stopped');
    expect(running.stdout.join('\n')).not.toContain(sim.botToken);
    expect(running.stderr).toBe('');
  });
});

describe('npm start on PostgreSQL (DATABASE_URL)', () => {
  it('migrates an empty database, serves /healthz, and stops cleanly on SIGTERM, its password never written', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sitrep-start-'));
    sim = await startSlackSimulator();
    const password = 'correct-horse-battery';
    const url = new URL(await testDatabase());
    url.password = password;
    const running = startProcess({
      SLACK_BOT_TOKEN: sim.botToken,
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: sim.apiUrl,
      PORT: '0',
      DATABASE_PATH: join(dir, 'unused.sqlite'),
      DATABASE_URL: url.toString(),
      LOG_LEVEL: 'debug',
    });
    const listening = await running.waitForLog((line) => line.msg === 'sitrep is listening');
    expect((await fetch(`http://127.0.0.1:${String(listening.port)}/healthz`)).status).toBe(200);
    // The store it opened is PostgreSQL's: the SQLite file was never made.
    expect(existsSync(join(dir, 'unused.sqlite'))).toBe(false);

    running.signal('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(running.stdout.join('\n')).not.toContain(password);
    expect(running.stderr).toBe('');
  });

  it('stops with one line, password not shown, when the server cannot be reached', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sitrep-start-'));
    const running = startProcess({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
      PORT: '0',
      DATABASE_PATH: join(dir, 'unused.sqlite'),
      // Port 9 (discard) on the loopback: nothing listens there, the connection is refused at once.
      DATABASE_URL: 'postgres://sitrep:correct-horse-battery@127.0.0.1:9/sitrep',
    });
    expect(await running.exited).toBe(1);
    expect(running.stderr.trim().split('\n')).toHaveLength(1);
    expect(running.stderr).toMatch(/^sitrep: /);
    expect(running.stderr + running.stdout.join('\n')).not.toContain('correct-horse-battery');
  });
});
