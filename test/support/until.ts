// Waiting for a condition that has no change signal to wait on (a database another
// process writes): checked again every 10 ms until it holds or time runs out.

import { setTimeout as delay } from 'node:timers/promises';

/** Resolves with the first truthy value of `check`; rejects after `timeoutMs` naming `what`. */
export async function until<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(10);
  }
}
