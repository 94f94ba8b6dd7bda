// vitest's global setup: sitrep's entry point bundled once, with the packages it uses,
// for the tests that run the bot as a process many times over (crash, stop, hostile
// connections). A start through tsx's loader costs 2.3 s of CPU here, the bundle of
// our code alone 1.1 s (most of it Node resolving and reading some 900 package files),
// this bundle 0.55 s: CPU the other tests are waiting for. The start-up tests still
// run `npm start`'s own command.
//
// Left outside: better-sqlite3 (a native addon), pg (its optional native binding is
// looked up by name) and pino (its transports load files by path in worker threads).
// The packages written as CommonJS call require(); ESM output has none, so the banner
// makes one.
//
// The bundle sits under .test-build/ in the repository, so that what the code finds
// from its own location (the migrations, by walking up to drizzle/) and node_modules
// resolve as they do from src/; each run has a folder of its own there, so that two
// runs in one checkout at once do not remove each other's. The demo and backup entry
// points are bundled with it (their tests run each once as a process), sharing its chunks.

import { copyFileSync, mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILDS = join(ROOT, '.test-build');

declare module 'vitest' {
  export interface ProvidedContext {
    /** This run's folder under .test-build/. */
    appBuild: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  mkdirSync(BUILDS, { recursive: true });
  const OUT = mkdtempSync(join(BUILDS, 'run-'));
  await build({
    entryPoints: ['src/main.ts', 'harness/demo.ts', 'src/cli/backup.ts'].map((entry) => join(ROOT, entry)),
    // Each entry at its own path under .test-build/: what it resolves from its own
    // location (../../drizzle, the demo's story beside it) is found the same way.
    outbase: ROOT,
    outdir: OUT,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    // main.ts loads the app only once the configuration is good: split, the bundle keeps
    // that (a refusal loads no Bolt, drizzle or SQLite), as it does from the sources.
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3', 'pg', 'pino'],
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  copyFileSync(join(ROOT, 'harness/demo-incident.json'), join(OUT, 'harness/demo-incident.json'));
  project.provide('appBuild', OUT);
  return () => {
    rmSync(OUT, { recursive: true, force: true });
    try {
      rmdirSync(BUILDS);
    } catch {
      // Another run's folder is still there: it removes the parent when it ends.
    }
  };
}
