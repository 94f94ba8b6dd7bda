// Slack's request signing (https://api.slack.com/authentication/verifying-requests-from-slack):
// `v0=` + hex HMAC-SHA256, keyed with the app's signing secret, of
// `v0:{timestamp}:{raw body}`. The timestamp is epoch seconds and travels in
// `x-slack-request-timestamp`; the signature in `x-slack-signature`.

import { createHmac } from 'node:crypto';

export function signSlackRequest(signingSecret: string, timestamp: number, body: string): string {
  const digest = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
  return `v0=${digest}`;
}

/** The two headers Slack adds to a request it signs at `timestamp` (epoch seconds). */
export function slackSignatureHeaders(
  signingSecret: string,
  timestamp: number,
  body: string,
): { 'x-slack-request-timestamp': string; 'x-slack-signature': string } {
  return {
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signSlackRequest(signingSecret, timestamp, body),
  };
}
