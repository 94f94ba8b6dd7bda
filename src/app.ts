// Builds sitrep: the Bolt app on its receiver (HTTP or Socket Mode), the
// services' context, and the listeners. Starting and stopping live here too.

import type { AddressInfo } from 'node:net';
import { Server as HttpServer, type RequestListener } from 'node:http';
import { App, HTTPReceiver, type Receiver } from '@slack/bolt';
// retryPolicies is a CommonJS re-export that Node's ESM loader cannot see by name.
import webApi, { type RetryOptions } from '@slack/web-api';
import type { Config } from './config.js';
import type { Store } from './db/store.js';
import type { ReactionMap } from './domain/reactions.js';
import { dropMalformedEvents } from './http/event-shape.js';
import { DEFAULT_GUARD_POLICY, guardRequests } from './http/guard.js';
import { HTTP_SERVER_OPTIONS, limitServer } from './http/limits.js';
import { boltLogger, type Logger } from './logger.js';
import type { Clock, SlackContext } from './services/context.js';
import { DEFAULT_OUTBOX_OPTIONS, Outbox, type OutboxOptions } from './outbox/worker.js';
import { checkReminders, startReminders } from './services/reminders.js';
import { rememberWorkspaceUrl } from './services/workspace.js';
import type { CommandOutcome } from './listeners/commands/index.js';
import { registerListeners } from './listeners/index.js';
import { Tasks } from './tasks.js';
import { BotIdentityCache } from './transport/bot-identity.js';
import { watchConnections, type ConnectionDrain } from './transport/drain-connections.js';
import { CommitFirstSocketModeReceiver } from './transport/socket-mode-receiver.js';

export const EVENTS_PATH = '/slack/events';

/** No Slack call may hang the outbox, the reminders or shutdown. */
const CALL_TIMEOUT_MS = 10_000;
const SHORT_RETRIES: RetryOptions = { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 1000 };

/** On stop, requests in flight get this long to finish before their connections are cut. */
const CONNECTION_GRACE_MS = 5000;

/** On stop, background work (Slack calls under way) gets this long before it is left for the next start. */
const BACKGROUND_GRACE_MS = 2000;

/** How often open incidents are checked for due nudges. */
export const DEFAULT_REMINDER_INTERVAL_MS = 60_000;

export interface SitrepOptions {
  config: Config;
  store: Store;
  logger: Logger;
  now?: Clock;
  reactions?: ReactionMap;
  /** How the Web API client retries; tests turn retries off. */
  retryConfig?: RetryOptions;
  /** Retry timing of the outbox; tests shorten it. */
  outbox?: Partial<OutboxOptions>;
  /** Socket Mode: how long a ping may go unanswered, and so the wait before reconnecting; tests shorten it. */
  socketPingTimeoutMs?: number;
  /** Told what became of each `/incident` (the replay reads refusals from it). */
  onCommandOutcome?: (outcome: CommandOutcome) => void;
  /** How often to look for due reminders; null turns the timer off (tests call checkReminders). */
  reminderIntervalMs?: number | null;
}

export interface Sitrep {
  app: App;
  ctx: SlackContext;
  /** Starts serving; resolves with the HTTP port (0 asks the system for a free one). */
  start(): Promise<number>;
  /** Stops taking requests, then waits for background work to finish. */
  stop(): Promise<void>;
  /** One reminder pass now: queues the nudges that are due, and waits for the outbox to send them. */
  checkReminders(): Promise<void>;
}

const HEALTH_PATH = '/healthz';

/**
 * 200 while the store answers; 503 when it does not (PostgreSQL unreachable, say), so a
 * load balancer sends Slack's requests to a replica that can commit them. Requests that
 * reach this one meanwhile fail before their commit and Slack delivers them again.
 */
function healthz(store: Store, logger: Logger): RequestListener {
  return (_req, res) => {
    store.ping().then(
      () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      },
      (err: unknown) => {
        logger.warn({ err }, 'health check: the store does not answer');
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"ok":false,"store":"unreachable"}');
      },
    );
  };
}

function buildReceiver(
  config: Config,
  logger: Logger,
  health: RequestListener,
  options: Pick<SitrepOptions, 'retryConfig' | 'socketPingTimeoutMs'>,
): Receiver {
  const log = boltLogger(logger);
  if (config.mode === 'socket' && config.appToken) {
    // Socket Mode has no HTTP requests to guard (payloads come over the WebSocket sitrep
    // opened with its app token); the shape of the events is checked all the same, and
    // envelopes are acknowledged only after their commit.
    return dropMalformedEvents(
      new CommitFirstSocketModeReceiver({
        appToken: config.appToken,
        logger: log,
        port: config.port,
        routes: { [HEALTH_PATH]: health },
        ...(config.slackApiUrl ? { slackApiUrl: config.slackApiUrl } : {}),
        ...(options.retryConfig ? { retryConfig: options.retryConfig } : {}),
        ...(options.socketPingTimeoutMs !== undefined ? { clientPingTimeoutMs: options.socketPingTimeoutMs } : {}),
      }),
      { logger },
    );
  }
  if (!config.signingSecret) throw new Error('HTTP mode needs a signing secret');
  const receiver = new HTTPReceiver({
    signingSecret: config.signingSecret,
    endpoints: EVENTS_PATH,
    // Slack gets its 200 only once the event is committed.
    processBeforeResponse: true,
    customRoutes: [{ path: HEALTH_PATH, method: ['GET'], handler: health }],
    logger: log,
    // A body sent without a Content-Length is cut off here, while Bolt reads it (413).
    bodyLimit: DEFAULT_GUARD_POLICY.bodyLimitBytes,
  });
  // Future-dated, stale and declared-oversized requests are refused before Bolt reads a byte of them.
  receiver.requestListener = guardRequests(receiver.requestListener, { paths: [EVENTS_PATH], logger });
  // Signed events of a shape Slack never sends are answered 200 and dropped, not retried into failures.
  return dropMalformedEvents(receiver, { logger });
}

export function createSitrep(options: SitrepOptions): Sitrep {
  const { config, store, logger } = options;
  const receiver = buildReceiver(config, logger, healthz(store, logger), options);
  const clientOptions = {
    ...(config.slackApiUrl ? { slackApiUrl: config.slackApiUrl } : {}),
    // Used while someone waits (views.open, membership checks) and for small background
    // calls: a few quick retries, and no call outlives a stuck socket.
    retryConfig: options.retryConfig ?? SHORT_RETRIES,
    timeout: CALL_TIMEOUT_MS,
  };
  const slack = new webApi.WebClient(config.botToken, { ...clientOptions, logger: boltLogger(logger) });
  const tasks = new Tasks(logger);
  const ctx: SlackContext = {
    store,
    db: store.queries,
    slack,
    config,
    logger,
    now: options.now ?? Date.now,
    reactions: options.reactions ?? config.reactions,
    tasks,
    outbox: { kick: () => outbox.kick() },
  };
  // The workspace's URL is kept for links in drafts; written when auth.test first answers, not per request.
  const identity = new BotIdentityCache(slack, logger, ({ url }) => rememberWorkspaceUrl(ctx, url));
  const app = new App({
    receiver,
    authorize: async (_source, body) => ({ botToken: config.botToken, ...identity.forRequest(body) }),
    logger: boltLogger(logger),
    clientOptions,
  });
  // Rethrown so the receiver fails the request: a 500 over HTTP, no acknowledgement over
  // Socket Mode. Either way Slack delivers it again; returning here would turn a write that
  // failed before its commit (disk full, a lock held too long) into a 200 and lose the event.
  app.error(async (error) => {
    logger.error({ err: error }, 'a listener failed; Slack is not acknowledged and will retry');
    throw error;
  });

  // The outbox does its own retrying (ordered, and safe for posts that must not repeat),
  // so its client neither retries nor sleeps through rate limits.
  const outboxClient = new webApi.WebClient(config.botToken, {
    ...(config.slackApiUrl ? { slackApiUrl: config.slackApiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: CALL_TIMEOUT_MS,
    logger: boltLogger(logger),
  });
  const outbox = new Outbox(
    { ...ctx, slack: outboxClient },
    {
      ...DEFAULT_OUTBOX_OPTIONS,
      leaseMs: config.outboxLeaseSeconds * 1000,
      // Replicas share the work: each looks for what another left twice a lease.
      pollMs: store.engine === 'postgres' ? (config.outboxLeaseSeconds * 1000) / 2 : null,
      ...options.outbox,
    },
  );
  registerListeners(app, ctx, options.onCommandOutcome ? { onOutcome: options.onCommandOutcome } : {});

  const reminderIntervalMs =
    options.reminderIntervalMs === undefined ? DEFAULT_REMINDER_INTERVAL_MS : options.reminderIntervalMs;
  let stopReminders: (() => Promise<void>) | null = null;
  let connections: ConnectionDrain | undefined;

  return {
    app,
    ctx,
    async start() {
      // Requests must arrive within a time, and connections are counted (src/http/limits.ts).
      const started = (await app.start(config.port, HTTP_SERVER_OPTIONS)) as unknown;
      const server = started instanceof HttpServer ? started : undefined;
      if (server) {
        limitServer(server);
        connections = watchConnections(server);
      }
      const address = server?.address() as AddressInfo | null | undefined;
      const port = address?.port ?? config.port;
      logger.info({ mode: config.mode, port }, 'sitrep is listening');
      void identity.refresh();
      // Whatever was queued before a stop or a crash goes out now.
      outbox.kick();
      if (reminderIntervalMs !== null && !stopReminders) {
        stopReminders = startReminders(ctx, { intervalMs: reminderIntervalMs });
      }
      return port;
    },
    async stop() {
      // No new Slack work first (a pass waiting out a retry ends at once), then no new
      // requests; those in flight finish and are acknowledged; then background work drains.
      outbox.stop();
      await stopReminders?.();
      stopReminders = null;
      const closing = app.stop();
      const stopDraining = connections?.drain(CONNECTION_GRACE_MS);
      await closing;
      stopDraining?.();
      // A Slack call that hangs must not hold the stop: what it was sending stays queued
      // and is sent (looked up first, so never twice) after the next start.
      let graceTimer: NodeJS.Timeout | undefined;
      await Promise.race([tasks.idle(), new Promise((resolve) => (graceTimer = setTimeout(resolve, BACKGROUND_GRACE_MS)))]);
      clearTimeout(graceTimer);
    },
    async checkReminders() {
      await checkReminders(ctx);
      await tasks.idle();
    },
  };
}
