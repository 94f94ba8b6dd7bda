// `npm test`: the type check and the tests at the same time, so the wall time is
// the longer of the two, not their sum. Arguments go to vitest
// (`npm test -- test/e2e/crash.test.ts`). Fails if either fails.
//
// The type check is `npm run typecheck` (tsc --noEmit, incremental: its state is
// kept in node_modules/.cache) at a lower priority: vitest's workers, which
// decide how long the whole takes, come first; tsc fills the time they spend
// waiting on sockets and child processes.

import { spawn } from 'node:child_process';
import { statfsSync } from 'node:fs';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Where the tests keep their files (SQLite databases, the PostgreSQL cluster, copies):
 * in memory (/dev/shm) when it has room, unless TMPDIR says otherwise. Every commit of
 * the bot's SQLite store is flushed to disk (synchronous = FULL); no test cuts the
 * machine's power, so those flushes only cost time: 7 s of system CPU and 6 s of the
 * suite's wall time here. The benchmarks, which measure the flushes, use the disk.
 */
function testTmpdir() {
  if (process.env.TMPDIR) return process.env.TMPDIR;
  try {
    const { bavail, bsize } = statfsSync('/dev/shm');
    if (bavail * bsize >= 2 * 1024 ** 3) return '/dev/shm';
  } catch {
    // No /dev/shm here: the system's temporary folder.
  }
  return undefined;
}

/** Runs a command; resolves with its exit code, its output if captured, and how long it took. */
function run(command, args, { capture = false, nice = 0, env = process.env } = {}) {
  const started = Date.now();
  const child = spawn(command, args, { cwd: ROOT, env, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
  if (nice && child.pid !== undefined) {
    try {
      setPriority(child.pid, nice);
    } catch {
      // Not allowed here: it runs at the same priority, no harm done.
    }
  }
  let output = '';
  if (capture) {
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
  }
  return new Promise((resolve) => {
    child.on('error', (error) => resolve({ code: 1, output: `${output}${error.message}\n`, seconds: 0 }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output, seconds: (Date.now() - started) / 1000 }));
  });
}

const [typecheck, tests] = await Promise.all([
  // Buffered, so its report does not land in the middle of vitest's.
  run('npm', ['run', '--silent', 'typecheck'], { capture: true, nice: 10 }),
  run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...process.argv.slice(2)], {
    env: testTmpdir() ? { ...process.env, TMPDIR: testTmpdir() } : process.env,
  }),
]);

if (typecheck.output) process.stdout.write(`\n${typecheck.output}`);
process.stdout.write(
  `\ntypecheck: ${typecheck.code === 0 ? 'ok' : `failed (exit ${typecheck.code})`} in ${typecheck.seconds.toFixed(1)} s; ` +
    `vitest: ${tests.code === 0 ? 'ok' : `failed (exit ${tests.code})`} in ${tests.seconds.toFixed(1)} s\n`,
);
process.exitCode = typecheck.code !== 0 ? typecheck.code : tests.code;
