// Shared set-up for the simulator's own tests: the real WebClient pointed at
// the simulator, with retries off so a failure shows at once.

import { LogLevel, WebClient } from '@slack/web-api';
import type { Logger, WebClientOptions } from '@slack/web-api';
import type { SlackSimulator } from '../../../harness/simulator/index.js';

/** WebClient logs Slack's `[ERROR]` response messages; the tests assert on them instead. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

export function webClientFor(
  sim: SlackSimulator,
  token = sim.botToken,
  options: WebClientOptions = {},
): WebClient {
  return new WebClient(token, {
    slackApiUrl: sim.apiUrl,
    retryConfig: { retries: 0 },
    logger: silentLogger,
    ...options,
  });
}
