// What every command-line tool shares: where it writes, how a usage error is told
// from a failure, and running only when it is the program node was started with,
// so tests can call the same command in-process.

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where a command writes: process.stdout and process.stderr when run as a script. */
export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Something the person typed wrong: the usage line follows the message. */
export class UsageError extends Error {}

/**
 * Runs a command's body and returns its exit code: 0, 2 for a usage error
 * (then the usage line is printed), 1 for anything else.
 */
export async function exitCodeOf(name: string, usage: string, io: CliOutput, body: () => void | Promise<void>): Promise<number> {
  try {
    await body();
    return 0;
  } catch (error) {
    const known = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    io.stderr(`${name}: ${(error as Error).message}\n${known ? `${usage}\n` : ''}`);
    return known ? 2 : 1;
  }
}

/** Whether the module at `moduleUrl` is the script node was started with. */
export function isEntryPoint(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/** The process's own streams. */
export const processOutput: CliOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};
