// The benchmark's yardstick: a Bolt app that does nothing with a message event,
// on the same receiver settings as sitrep (HTTPReceiver, processBeforeResponse,
// the same endpoint and Web API client pointed at the simulator). Whatever rate it
// reaches is what Bolt and Node cost on this machine before sitrep does anything.
//
// Environment: SLACK_SIGNING_SECRET, SLACK_API_URL, PORT (0: any free port).
// Prints `listening <port>` on stdout once it is serving.

import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

const signingSecret = process.env.SLACK_SIGNING_SECRET;
if (!signingSecret) throw new Error('SLACK_SIGNING_SECRET is required');

const receiver = new HTTPReceiver({
  signingSecret,
  endpoints: '/slack/events',
  processBeforeResponse: true,
  logLevel: LogLevel.WARN,
});
const app = new App({
  token: 'xoxb-bench-empty',
  receiver,
  logLevel: LogLevel.WARN,
  ...(process.env.SLACK_API_URL ? { clientOptions: { slackApiUrl: process.env.SLACK_API_URL } } : {}),
});
app.event('message', async () => {});

const server = (await app.start({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' })) as unknown as Server;
process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);

const stop = (): void => {
  void app.stop().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
