// vitest's global setup: sitrep's entry point bundled once (our code only; packages
// stay in node_modules), for the tests that run the bot as a process many times over
// (crash, stop, hostile connections). Starting the bundle takes about half what
// starting through tsx's loader does, most of it CPU the other tests are waiting for.
// The start-up tests still run `npm start`'s own command.
//
// The bundle sits at build/src/ under the repository, so that the paths the code
// resolves from its own location (the migrations, ../../drizzle) and node_modules
// resolve as they do from src/.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BUNDLED_MAIN = join(ROOT, '.test-build/src/main.mjs');

export default async function setup(): Promise<() => void> {
  await build({
    entryPoints: { main: join(ROOT, 'src/main.ts') },
    outdir: join(ROOT, '.test-build/src'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    // main.ts loads the app only once the configuration is good: split, the bundle keeps
    // that (a refusal loads no Bolt, drizzle or SQLite), as it does from the sources.
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return () => rmSync(join(ROOT, '.test-build'), { recursive: true, force: true });
}
