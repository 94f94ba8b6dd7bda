// Socket Mode, acknowledged after the commit.
//
// Bolt's own SocketModeReceiver hands each listener an ack() that writes to the
// socket at once, and Bolt acknowledges every Events API envelope before any
// listener runs: an event is acknowledged before it is stored, so a crash or a
// failed write loses it. This receiver does for Socket Mode what
// `processBeforeResponse` does for HTTP: the ack() a listener calls only keeps
// the response; the acknowledgement (with that response as its payload) goes
// out once Bolt has finished processing the envelope, which is after the
// listener's commit. If processing fails, nothing is sent: Slack redelivers the
// envelope (`retry_attempt`, `retry_reason`) and the event-id dedupe makes the
// redelivery count once.
//
// It is built from public pieces: @slack/socket-mode's SocketModeClient (which
// opens the connection with `apps.connections.open`, answers Slack's pings,
// reconnects on `disconnect`) and Bolt's Receiver contract. `/healthz` is served
// over plain HTTP on the configured port, as in HTTP mode.

import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App, Logger as SlackLogger, Receiver, ReceiverEvent } from '@slack/bolt';
import { SocketModeClient } from '@slack/socket-mode';
import type { RetryOptions } from '@slack/web-api';

export interface CommitFirstSocketModeOptions {
  appToken: string;
  logger: SlackLogger;
  /** Port of the HTTP server that answers `routes` (health checks); 0 for any free one. */
  port: number;
  /** Plain HTTP routes by path, served beside the socket (GET /healthz). */
  routes: Record<string, RequestListener>;
  /** Slack's Web API base URL, for `apps.connections.open` (tests, simulators). */
  slackApiUrl?: string;
  retryConfig?: RetryOptions;
  /**
   * How long the client waits for a pong before it counts the link as dead, and so
   * (the SDK's rule) how long it waits before reconnecting after Slack closed a link;
   * default the SDK's 5 s. Tests shorten it.
   */
  clientPingTimeoutMs?: number;
}

/** What SocketModeClient hands its `slack_event` listeners. */
interface SocketModeEventArgs {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  envelope_id: string;
  type: string;
  body: Record<string, unknown>;
  retry_num?: number;
  retry_reason?: string;
}

export class CommitFirstSocketModeReceiver implements Receiver {
  private app: App | undefined;
  private readonly client: SocketModeClient;
  private readonly server: Server;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: CommitFirstSocketModeOptions) {
    this.client = new SocketModeClient({
      appToken: options.appToken,
      logger: options.logger,
      ...(options.clientPingTimeoutMs !== undefined ? { clientPingTimeout: options.clientPingTimeoutMs } : {}),
      clientOptions: {
        ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
        ...(options.retryConfig ? { retryConfig: options.retryConfig } : {}),
      },
    });
    this.client.on('slack_event', (args: SocketModeEventArgs) => {
      const handling = this.handle(args)
        .catch((error: unknown) => this.options.logger.error(`envelope ${args.envelope_id} (${args.type}) could not be handled: ${String(error)}`))
        .finally(() => this.inFlight.delete(handling));
      this.inFlight.add(handling);
    });
    this.server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      const route = this.options.routes[path];
      if (route) return route(req, res);
      res.writeHead(404).end();
    });
  }

  init(app: App): void {
    this.app = app;
  }

  /** Serves the HTTP routes, then connects; resolves with the HTTP server once both are up. */
  async start(): Promise<Server> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    await this.client.start();
    return this.server;
  }

  /**
   * Lets the envelopes being processed finish (and be acknowledged), then closes
   * the connection: Slack sends what comes next to another connection, or again later.
   */
  async stop(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.client.disconnect();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The HTTP port, once started. */
  port(): number | undefined {
    return (this.server.address() as AddressInfo | null)?.port;
  }

  private async handle(args: SocketModeEventArgs): Promise<void> {
    if (!this.app) throw new Error('the Socket Mode receiver was started before Bolt initialised it');
    let response: Record<string, unknown> | undefined;
    let acknowledged = false;
    const event: ReceiverEvent = {
      body: args.body,
      // Kept, not sent: the acknowledgement waits for the commit (see above).
      ack: async (reply?: unknown) => {
        if (acknowledged) return;
        acknowledged = true;
        if (reply !== undefined && reply !== '') {
          response = typeof reply === 'string' ? { text: reply } : (reply as Record<string, unknown>);
        }
      },
      ...(args.retry_num !== undefined ? { retryNum: args.retry_num } : {}),
      ...(args.retry_reason !== undefined ? { retryReason: args.retry_reason } : {}),
      customProperties: {},
    };
    try {
      await this.app.processEvent(event);
    } catch (error) {
      // app.error has logged it. No acknowledgement: Slack delivers the envelope again.
      this.options.logger.warn(
        `envelope ${args.envelope_id} (${args.type}) not acknowledged, so Slack will redeliver it: ${String(error)}`,
      );
      return;
    }
    // Envelopes no listener acknowledged (events sitrep ignores) are acknowledged too,
    // or Slack would keep redelivering them.
    try {
      await args.ack(response);
    } catch (error) {
      // The link closed while the envelope was processed: it is committed, and Slack's
      // redelivery (on another link) is recognised by its event id.
      this.options.logger.warn(`could not acknowledge envelope ${args.envelope_id} (${args.type}): ${String(error)}`);
    }
  }
}
