// Slack's Socket Mode side: the app calls apps.connections.open with its
// app-level token, gets a one-time WebSocket URL, connects, and from then on
// Slack pushes it envelopes (events, slash commands, interactions) that it must
// acknowledge by envelope_id within about 3 s. Slack spreads envelopes over
// every connection the app holds (one per replica) and redelivers an event
// whose envelope went unacknowledged.
//
// The hub speaks that protocol on the simulator's own HTTP server, so a real
// SocketModeClient (or Bolt's SocketModeReceiver) can connect to it, and keeps
// a record of every envelope and every ack for tests to assert on. Each change
// is signalled through the workspace, so `sim.waitFor` can wait on the hub.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { RawData } from 'ws';
import type { Workspace } from './workspace.js';

/** Call-log name for WebSocket connections made (or refused) at a Socket Mode URL. */
export const SOCKET_MODE_ENDPOINT = 'socket_mode';

/** How long Slack waits for an ack before it counts an envelope as unacknowledged. */
export const DEFAULT_SOCKET_ACK_TIMEOUT_MS = 3000;

export type SocketEnvelopeType = 'events_api' | 'slash_commands' | 'interactive';

/** Why Slack asks the app to let go of a connection; `warning` comes a while before the link closes. */
export type SocketDisconnectReason = 'refresh_requested' | 'link_disabled' | 'warning';

/** An envelope exactly as it goes over the wire. */
export interface SocketEnvelope {
  envelope_id: string;
  type: SocketEnvelopeType;
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  /** Only on events_api envelopes, as in Slack's. */
  retry_attempt?: number;
  retry_reason?: string;
}

export interface SocketSendOptions {
  /** For a redelivery: the attempt number (0 for the first delivery) and Slack's reason. */
  retryAttempt?: number;
  retryReason?: string;
  /** How long to wait for a connection, then for the ack; default the simulator's socketAckTimeoutMs. */
  ackTimeoutMs?: number;
}

export type SocketOutcome =
  | { acknowledged: true; payload?: unknown }
  | { acknowledged: false; reason: 'timeout' | 'connection closed' };

/** One envelope the hub sent (or tried to: `connectionId` is unset if no connection opened in time). */
export interface SocketDelivery {
  envelope: SocketEnvelope;
  connectionId?: number;
  /** Unset while the ack is awaited. */
  outcome?: SocketOutcome;
}

/** One ack the app sent back. */
export interface SocketAck {
  envelopeId: string;
  connectionId: number;
  /** Absent for a bare ack: the SDK sends `payload: {}` for ack() with no argument. */
  payload?: unknown;
  /** False when nothing was waiting for it: an unknown id, a second ack, or one after the timeout. */
  expected: boolean;
}

export interface SocketModeHubOptions {
  /** Where the hub signals its changes (for waitFor) and records connections in the call log. */
  workspace: Workspace;
  appId: string;
  ackTimeoutMs?: number;
  /** The simulator's http://host:port, known only once it listens. */
  baseUrl: () => string;
}

interface Connection {
  id: number;
  socket: WebSocket;
  /** Envelope ids sent on this connection and not yet acknowledged. */
  awaiting: Set<string>;
}

interface Pending {
  delivery: SocketDelivery;
  timeoutMs: number;
  timer: NodeJS.Timeout | undefined;
  connection: Connection | undefined;
  settle: (outcome: SocketOutcome) => void;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Which envelopes Slack lets the app answer through the ack: a command's reply,
 * a submission's response_action, a menu's options. Other interactions and all
 * events are answered through the Web API instead.
 */
function acceptsResponsePayload(type: SocketEnvelopeType, payload: Record<string, unknown>): boolean {
  if (type === 'slash_commands') return true;
  if (type === 'interactive') return payload.type === 'view_submission' || payload.type === 'block_suggestion';
  return false;
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export class SocketModeHub {
  /** Every envelope sent, in order, with where it went and how it ended. */
  readonly deliveries: SocketDelivery[] = [];
  /** Every ack received, in order. */
  readonly acks: SocketAck[] = [];

  private readonly workspace: Workspace;
  private readonly appId: string;
  private readonly ackTimeoutMs: number;
  private readonly baseUrl: () => string;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly open = new Map<number, Connection>();
  /** Awaiting an ack, by envelope id. */
  private readonly awaitingAck = new Map<string, Pending>();
  /** Sent while no connection was open; delivered in order when one opens. */
  private readonly awaitingConnection: Pending[] = [];
  private unacked: SocketDelivery[] = [];
  private connectionCount = 0;
  private roundRobin = 0;

  constructor(options: SocketModeHubOptions) {
    this.workspace = options.workspace;
    this.appId = options.appId;
    this.ackTimeoutMs = options.ackTimeoutMs ?? DEFAULT_SOCKET_ACK_TIMEOUT_MS;
    this.baseUrl = options.baseUrl;
  }

  /** Open connections. */
  get connections(): number {
    return this.openConnections().length;
  }

  /** Resolves once at least `count` connections are open; rejects after `timeoutMs`. */
  async waitForConnections(count: number, { timeoutMs = 5000 }: { timeoutMs?: number } = {}): Promise<void> {
    await this.workspace.waitFor(() => this.connections >= count, {
      timeoutMs,
      what: `${count} open Socket Mode connection${count === 1 ? '' : 's'} (${this.connections} open)`,
    });
  }

  /**
   * Sends an envelope on the next open connection (round-robin) and resolves
   * with the app's ack, or with why there was none. With no connection open it
   * waits up to the ack timeout for one, then the ack timeout again for the ack.
   */
  send(type: SocketEnvelopeType, payload: Record<string, unknown>, options: SocketSendOptions = {}): Promise<SocketOutcome> {
    const envelope: SocketEnvelope = {
      envelope_id: randomUUID(),
      type,
      payload,
      accepts_response_payload: acceptsResponsePayload(type, payload),
      ...(type === 'events_api' ? { retry_attempt: options.retryAttempt ?? 0, retry_reason: options.retryReason ?? '' } : {}),
    };
    const delivery: SocketDelivery = { envelope };
    this.deliveries.push(delivery);
    return new Promise<SocketOutcome>((resolve) => {
      const pending: Pending = {
        delivery,
        timeoutMs: options.ackTimeoutMs ?? this.ackTimeoutMs,
        timer: undefined,
        connection: undefined,
        settle: (outcome) => {
          if (delivery.outcome) return;
          delivery.outcome = outcome;
          clearTimeout(pending.timer);
          this.awaitingAck.delete(envelope.envelope_id);
          pending.connection?.awaiting.delete(envelope.envelope_id);
          const waiting = this.awaitingConnection.indexOf(pending);
          if (waiting !== -1) this.awaitingConnection.splice(waiting, 1);
          if (!outcome.acknowledged) this.unacked.push(delivery);
          this.workspace.changed();
          resolve(outcome);
        },
      };
      const connection = this.nextConnection();
      if (connection) {
        this.transmit(pending, connection);
      } else {
        this.awaitingConnection.push(pending);
        pending.timer = setTimeout(() => pending.settle({ acknowledged: false, reason: 'timeout' }), pending.timeoutMs);
      }
      this.workspace.changed();
    });
  }

  /** Envelopes that timed out or lost their connection, oldest first; redelivered ones leave the list. */
  unacknowledged(): SocketDelivery[] {
    return [...this.unacked];
  }

  /**
   * Slack's retry: each unacknowledged events_api envelope goes out again with
   * the same payload (so the same event_id), a new envelope_id, retry_attempt
   * one higher and retry_reason "timeout". Slack does not retry commands or
   * interactions; those stay in the list.
   */
  redeliverUnacknowledged(options: { ackTimeoutMs?: number } = {}): Promise<SocketOutcome[]> {
    const due = this.unacked.filter((d) => d.envelope.type === 'events_api');
    this.unacked = this.unacked.filter((d) => d.envelope.type !== 'events_api');
    return Promise.all(
      due.map((d) =>
        this.send('events_api', d.envelope.payload, {
          retryAttempt: (d.envelope.retry_attempt ?? 0) + 1,
          retryReason: 'timeout',
          ...(options.ackTimeoutMs !== undefined ? { ackTimeoutMs: options.ackTimeoutMs } : {}),
        }),
      ),
    );
  }

  /**
   * Sends Slack's disconnect message on every open connection. For a warning
   * that is all (Slack closes the link some time later); otherwise the hub
   * closes each connection right after, as Slack does, whether or not the
   * client heeds the message.
   */
  disconnect(reason: SocketDisconnectReason): void {
    for (const connection of this.openConnections()) {
      connection.socket.send(
        JSON.stringify({ type: 'disconnect', reason, debug_info: { host: hostName(connection.id) } }),
      );
      if (reason !== 'warning') connection.socket.close(1000, reason);
    }
  }

  // ---- for the server -----------------------------------------------------

  /** A one-time WebSocket URL, as apps.connections.open hands out. */
  issueUrl(): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    const url = new URL('/link/', this.baseUrl().replace(/^http/, 'ws'));
    url.searchParams.set('ticket', ticket);
    url.searchParams.set('app_id', this.appId);
    return url.toString();
  }

  /** Takes the HTTP server's upgrade requests: only an unused ticket gets a connection. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (url.pathname !== '/link/' && url.pathname !== '/link') {
      refuseUpgrade(socket, 404, 'Not Found');
      return;
    }
    const ticket = url.searchParams.get('ticket') ?? '';
    if (!this.tickets.delete(ticket)) {
      this.workspace.recordCall({
        method: SOCKET_MODE_ENDPOINT,
        args: { ticket },
        status: 401,
        ok: false,
        error: 'invalid_ticket',
      });
      refuseUpgrade(socket, 401, 'Unauthorized');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, ticket));
  }

  /** Drops every connection; envelopes still awaiting an ack or a connection end as 'connection closed'. */
  close(): void {
    for (const pending of [...this.awaitingConnection, ...this.awaitingAck.values()]) {
      pending.settle({ acknowledged: false, reason: 'connection closed' });
    }
    // terminate, not close: the simulator is going away and need not wait for the close handshake.
    for (const connection of this.open.values()) connection.socket.terminate();
    this.open.clear();
    this.tickets.clear();
    this.wss.close();
  }

  // ---- internals ----------------------------------------------------------

  private openConnections(): Connection[] {
    // A connection told to go (closing) takes no more envelopes.
    return [...this.open.values()].filter((c) => c.socket.readyState === WebSocket.OPEN);
  }

  private nextConnection(): Connection | undefined {
    const candidates = this.openConnections();
    if (candidates.length === 0) return undefined;
    const connection = candidates[this.roundRobin % candidates.length];
    this.roundRobin += 1;
    return connection;
  }

  private transmit(pending: Pending, connection: Connection): void {
    const id = pending.delivery.envelope.envelope_id;
    pending.connection = connection;
    pending.delivery.connectionId = connection.id;
    connection.awaiting.add(id);
    this.awaitingAck.set(id, pending);
    clearTimeout(pending.timer);
    pending.timer = setTimeout(() => pending.settle({ acknowledged: false, reason: 'timeout' }), pending.timeoutMs);
    connection.socket.send(JSON.stringify(pending.delivery.envelope));
  }

  private accept(socket: WebSocket, ticket: string): void {
    this.connectionCount += 1;
    const connection: Connection = { id: this.connectionCount, socket, awaiting: new Set() };
    this.open.set(connection.id, connection);
    socket.on('message', (data, isBinary) => this.receive(connection, data, isBinary));
    socket.on('close', () => this.drop(connection));
    // ws closes the socket itself after a protocol error; without a listener the error would crash the process.
    socket.on('error', () => undefined);
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.connections,
        debug_info: { host: hostName(connection.id), build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
    this.workspace.recordCall({
      method: SOCKET_MODE_ENDPOINT,
      args: { ticket, connection: connection.id },
      status: 101,
      ok: true,
    });
    // Envelopes that arrived while no connection was open go out after the hello, in order.
    for (const pending of this.awaitingConnection.splice(0)) {
      const next = this.nextConnection();
      if (next) this.transmit(pending, next);
    }
  }

  private receive(connection: Connection, data: RawData, isBinary: boolean): void {
    if (isBinary) return;
    let message: unknown;
    try {
      message = JSON.parse(data.toString());
    } catch {
      return; // Slack ignores what it cannot parse; so does the hub.
    }
    if (!isRecord(message) || typeof message.envelope_id !== 'string') return;
    const envelopeId = message.envelope_id;
    const pending = this.awaitingAck.get(envelopeId);
    const payload = message.payload;
    const bare = payload === undefined || (isRecord(payload) && Object.keys(payload).length === 0);
    this.acks.push({ envelopeId, connectionId: connection.id, ...(bare ? {} : { payload }), expected: pending !== undefined });
    if (pending) pending.settle(bare ? { acknowledged: true } : { acknowledged: true, payload });
    else this.workspace.changed();
  }

  private drop(connection: Connection): void {
    this.open.delete(connection.id);
    for (const id of [...connection.awaiting]) {
      this.awaitingAck.get(id)?.settle({ acknowledged: false, reason: 'connection closed' });
    }
    this.workspace.changed();
  }
}

function hostName(connectionId: number): string {
  return `applink-sim-${connectionId}`;
}
