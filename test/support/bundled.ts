// In a test: where this run's global setup (build-app.ts) put the bundled entry points.

import { join } from 'node:path';
import { inject } from 'vitest';

/** The bundled form of this entry point (its path from the root, .ts → .mjs). */
export function bundled(entry: 'src/main.ts' | 'harness/demo.ts' | 'src/cli/backup.ts'): string {
  const out = inject('appBuild');
  if (!out) throw new Error("no bundle: add 'test/support/build-app.ts' to globalSetup in vitest.config.ts");
  return join(out, entry.replace(/\.ts$/, '.mjs'));
}
