// sitrep as a separate process, for tests of start-up, shutdown and crashes: either
// exactly as `npm start` runs it (one node process with tsx's loader), or the same
// entry point bundled once by the test run's global setup (test/support/build-app.ts),
// which starts on a quarter of the CPU. A signal sent here reaches the bot itself.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { bundled } from './bundled.js';
import { ROOT } from './sandbox.js';

const MAIN = join(ROOT, 'src/main.ts');

export interface StartOptions {
  /** `npm start`: the command npm start runs; `bundle` (the default): the bundled entry point. */
  as?: 'npm start' | 'bundle';
}

export interface Running {
  stdout: string[];
  stderr: string;
  exited: Promise<number | null>;
  signal(name: NodeJS.Signals): void;
  pid: number;
  /** Closes the read end of its stdout, so its next write fails with EPIPE (a log collector gone). */
  closeStdout(): void;
  /** Resolves with the first stdout JSON line that matches. */
  waitForLog(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

/** Every bot started here and still running: a test that fails before it stops its bot must not leave it behind. */
const alive = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

export function startProcess(env: Record<string, string>, options: StartOptions = {}): Running {
  const args = options.as === 'npm start' ? ['--import', 'tsx', MAIN] : [bundled('src/main.ts')];
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, cwd: ROOT });
  alive.add(child);
  child.once('exit', () => alive.delete(child));
  const stdout: string[] = [];
  let stderr = '';
  const waiters: Array<{ match: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }> = [];
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const text of lines) {
      stdout.push(text);
      const parsed = JSON.parse(text) as Record<string, unknown>;
      for (const waiter of waiters.filter((w) => w.match(parsed))) waiter.resolve(parsed);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    stdout,
    get stderr() {
      return stderr;
    },
    exited,
    signal: (name) => child.kill(name),
    closeStdout: () => child.stdout.destroy(),
    pid: child.pid ?? -1,
    waitForLog: (match) =>
      new Promise((resolve, reject) => {
        const seen = stdout.map((text) => JSON.parse(text) as Record<string, unknown>).find(match);
        if (seen) return resolve(seen);
        waiters.push({ match, resolve });
        void exited.then((code) => reject(new Error(`exited with ${code} before the log line; stderr: ${stderr}`)));
      }),
  };
}
