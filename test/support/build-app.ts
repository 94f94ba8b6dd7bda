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
// The bundle sits at .test-build/ under the repository, so that the paths the code
// resolves from its own location (the migrations, ../../drizzle) and node_modules
// resolve as they do from src/. The demo and backup entry points are bundled with it
// (their tests run each once as a process), sharing its chunks.

import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUT = join(ROOT, '.test-build');
/** The bot's entry point, bundled. */
export const BUNDLED_MAIN = join(OUT, 'src/main.mjs');
/** The entry points of `npm run demo` and `npm run backup`, bundled: their tests run them as processes. */
export const BUNDLED_DEMO = join(OUT, 'harness/demo.mjs');
export const BUNDLED_BACKUP = join(OUT, 'src/cli/backup.mjs');

export default async function setup(): Promise<() => void> {
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
  return () => rmSync(OUT, { recursive: true, force: true });
}
