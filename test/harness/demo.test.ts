// `npm run demo`: the built-in story or a script file, the transcript on
// stdout, the draft printed and written; a bad script is one clear message and
// exit code 1. The refusal runs as a real process (the entry point and its exit
// code); the rest call runDemo in this process, the same code without the
// start-up cost.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../harness/demo.js';
import { bundled } from '../support/bundled.js';
import { ROOT } from '../support/sandbox.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'sitrep-demo-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The demo's entry point in its own process (bundled by the run's global setup, test/support/build-app.ts). */
async function demoProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bundled('harness/demo.ts'), ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** The demo in this process. */
async function demo(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runDemo(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), color: false });
  return { code, stdout, stderr };
}

describe('npm run demo', () => {
  it('plays the built-in payments story, prints the draft and writes it to --out', async () => {
    const out = join(dir, 'default.md');
    const { code, stdout, stderr } = await demo('--out', out);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^sitrep demo: a payments incident, played on a simulated Slack workspace\.\n/);
    expect(stdout).toMatch(/\n#payments-oncall\n10:02 EDT +alice +\/incident declare sev2 Payments API failing\n/);
    expect(stdout).toMatch(/\n10:04 EDT +alice +\/incident lead @alice\n/);
    expect(stdout).toMatch(/↳ sitrep posted INC-1-postmortem\.md to #inc-1-payments-api-failing\n/);
    const draft = readFileSync(out, 'utf8');
    expect(draft).toMatch(/^# INC-1: Payments API failing\n/);
    expect(stdout).toContain(`(also written to ${out})\n\n${draft}`);
  });

  it('replays a script given with --script, in its zone and on its day', async () => {
    const out = join(dir, 'clearhaus.md');
    const script = join(ROOT, 'test/fixtures/incidents/clearhaus-gateway.json');
    const { code, stdout, stderr } = await demo('--script', script, '--out', out);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^sitrep demo: the Clearhaus transaction gateway outage of 23 March 2018/);
    expect(stdout).toMatch(/\nFriday 23 March 2018\n#ops\n16:05 UTC +mads +Alerts firing/);
    expect(stdout).toMatch(/\n16:06 UTC +freja +\/incident declare sev1 Transaction gateway unavailable\n/);
    expect(stdout).toMatch(/\n {11}↳ :bulb: from mads\n/);
    expect(readFileSync(out, 'utf8')).toMatch(/\| Impact window +\| 16:04 – 16:39 UTC \(35m\)/);
  });

  it('refuses a malformed script with one message naming the step, and exit code 1', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        about: 'a broken incident',
        timeZone: 'UTC',
        start: '2024-01-01 10:00',
        people: [{ name: 'alice', realName: 'Alice' }],
        steps: [{ at: '10:00', by: 'alice', command: 'declare Broken' }, { at: '10:01', by: 'alice', say: 'hi', marks: [['bulb', 'zed']] }],
      }),
    );
    const { code, stdout, stderr } = await demoProcess('--script', bad, '--out', join(dir, 'never.md'));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`demo: ${bad} is not a script sitrep can replay:\n  - step 2 (10:01, say): marks[0]: "zed" is not one of the script's people (alice)\n`);
  });

  it('says how to use it when an option is wrong', async () => {
    const { code, stderr } = await demo('--scirpt', 'x.json');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^demo: Unknown option '--scirpt'.*\nUsage: npm run demo \[-- --script <incident\.json>\] \[--out <file\.md>\]\n$/s);
  });
});
