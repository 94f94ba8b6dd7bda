// The Socket Mode yardstick: a Bolt app that does nothing with a message event,
// on Bolt's own SocketModeReceiver (one connection, opened with the app token
// through `apps.connections.open` at SLACK_API_URL). Bolt acknowledges an Events
// API envelope before any listener runs, so its acknowledgement latency is the
// floor: what the WebSocket, @slack/socket-mode and Bolt cost on this machine
// before an app stores anything. (sitrep acknowledges only after its commit.)
//
// Environment: SLACK_APP_TOKEN, SLACK_BOT_TOKEN, SLACK_API_URL.
// Prints `connected` on stdout once the connection is open.

import { App, LogLevel, SocketModeReceiver } from '@slack/bolt';

const appToken = process.env.SLACK_APP_TOKEN;
if (!appToken) throw new Error('SLACK_APP_TOKEN is required');
const slackApiUrl = process.env.SLACK_API_URL;

const receiver = new SocketModeReceiver({
  appToken,
  logLevel: LogLevel.WARN,
  ...(slackApiUrl ? { installerOptions: { clientOptions: { slackApiUrl } } } : {}),
});
const app = new App({
  token: process.env.SLACK_BOT_TOKEN ?? 'xoxb-bench-empty',
  receiver,
  logLevel: LogLevel.WARN,
  ...(slackApiUrl ? { clientOptions: { slackApiUrl } } : {}),
});
app.event('message', async () => {});

await app.start();
process.stdout.write('connected\n');

const stop = (): void => {
  void app.stop().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
