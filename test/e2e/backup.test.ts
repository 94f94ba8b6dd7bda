// `npm run backup` while the bot runs, and a restore from the copy.

import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { U_ALICE, U_BOB } from '../../harness/simulator/constants.js';
import { bundled } from '../support/bundled.js';
import { ROOT, startTestSandbox, type TestSandbox } from '../support/sandbox.js';

const run = promisify(execFile);
let box: TestSandbox;

beforeEach(async () => {
  box = await startTestSandbox();
});

afterEach(async () => {
  expect(box.errors()).toEqual([]);
  await box.close();
});

async function backup(target: string): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, [bundled('src/cli/backup.ts'), target], {
      env: { ...process.env, DATABASE_PATH: box.databasePath },
      cwd: ROOT,
    });
    return { code: 0, stderr };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { code: failed.code ?? 1, stderr: failed.stderr ?? '' };
  }
}

describe('npm run backup', () => {
  it('copies the live database consistently, and the copy restores', async () => {
    const channel = await box.declare(U_ALICE, 'declare sev2 Backed up');
    const { ts } = await box.driver.message({ channelId: channel.id, userId: U_BOB, text: 'written before the backup' });
    await box.driver.react({ channelId: channel.id, ts, userId: U_ALICE, name: 'pushpin' });
    await box.sitrep.ctx.tasks.idle();
    const before = (await box.exportCli('1')).stdout;

    const target = join(box.dir, 'copy.sqlite');
    const result = await backup(target);
    expect(result.stderr).toMatch(/integrity ok/);
    expect(result.code).toBe(0);
    // The bot keeps going while and after the copy is taken.
    expect((await box.driver.message({ channelId: channel.id, userId: U_BOB, text: 'after' })).status).toBe(200);

    const restored = await startTestSandbox({ databasePath: target });
    try {
      expect((await restored.exportCli('1')).stdout).toBe(before);
    } finally {
      await restored.sitrep.stop();
      restored.database.close();
      await restored.sim.close();
    }
  });

  it('refuses to overwrite a file, or to run without a target', async () => {
    const target = join(box.dir, 'exists.sqlite');
    writeFileSync(target, 'keep me');
    expect(await backup(target)).toMatchObject({ code: 2, stderr: expect.stringMatching(/exists; choose a new file/) });
    expect(existsSync(target)).toBe(true);
  });
});
