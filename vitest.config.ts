import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Once per run: the bot's entry point bundled for the tests that start it as a process
    // many times, and one PostgreSQL server on which each test file that needs one makes
    // its own database (test/support/postgres.ts, testDatabase()).
    globalSetup: ['test/support/build-app.ts', 'test/support/postgres.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two files at a time: vitest's default is availableParallelism() - 1, one file at a
    // time on a two-core machine. The files share nothing (each takes port 0, its own temp
    // dir, database and tmpfs mount), and much of their time is spent waiting on sockets
    // and on the bots they start as processes. Three was no faster, and loaded the machine
    // enough for timeout-bound tests to fail under outside load (BENCHMARKS.md, "Test suite").
    // hostile-connections.test.ts asserts the bot's peak RSS under an attack; it runs beside
    // the others (see BENCHMARKS.md, "Test suite", for the peaks measured under load).
    maxWorkers: 2,
    // A worker imports the app's modules (Bolt, drizzle, pino…) once and runs file after
    // file with them, instead of a fresh process per file: that import took 33 s of the
    // suite's 192 s run one file at a time, and 52 s summed over two isolated workers; now 6 s.
    // The modules keep no state but caches, and every file closes what it opens.
    isolate: false,
    // Transformed modules kept on disk between runs (node_modules/.experimental-vitest-cache),
    // keyed by each file's content and the config: a warm run transforms nothing.
    experimental: { fsModuleCache: true },
  },
});
