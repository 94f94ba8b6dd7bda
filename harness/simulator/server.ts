// The simulator's HTTP face: a real node:http server that answers the Web API
// at `{apiUrl}{method}`, takes file bytes at the upload URLs it hands out, and
// takes replies at the response URLs the driver puts in slash commands. It also
// hands out Socket Mode URLs (apps.connections.open) and takes the WebSocket
// connections made to them; see socket-mode.ts.
//
// Each request is recorded in the call log (and the workspace changed) before
// it is answered, so by the time the bot sees Slack's answer a test waiting on
// the workspace can see its effect.

import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { API_APP_ID, BOT_ID, BOT_USER_ID, DEFAULT_APP_TOKEN, DEFAULT_BOT_TOKEN } from './constants.js';
import { FaultQueue } from './faults.js';
import type { Fault, FaultResponse } from './faults.js';
import { BodyTooLargeError, MalformedBodyError, parseBody, readBody, sendJson, sendText } from './http.js';
import { SlackMethodError, webApiMethods } from './methods.js';
import type { Args } from './methods.js';
import { SocketModeHub } from './socket-mode.js';
import { messageBlocksProblems } from './validation.js';
import { Workspace } from './workspace.js';
import type { WorkspaceOptions } from './workspace.js';

/** Call-log name (and failNext key) for posts of file bytes to an upload URL. */
export const UPLOAD_ENDPOINT = 'upload';
/** Call-log name (and failNext key) for replies posted to a command's response_url. */
export const RESPONSE_URL_ENDPOINT = 'response_url';

/** Answered here rather than in methods.ts: it takes the app-level token and needs the hub. */
const CONNECTIONS_OPEN = 'apps.connections.open';

/** Slack lets an app use a response_url this many times. */
const RESPONSE_URL_USES = 5;

export interface SlackSimulatorOptions extends WorkspaceOptions {
  /** Default 0: any free port. */
  port?: number;
  /** When set, only this token is accepted; otherwise any `xoxb-`/`xoxp-` token is. */
  botToken?: string;
  /** Bodies above this are answered 413; default 10 MiB. */
  maxBodyBytes?: number;
  /** The only app-level token apps.connections.open accepts; default DEFAULT_APP_TOKEN. */
  appToken?: string;
  /** How long Socket Mode waits for an envelope's ack (and for a connection); default 3000, as Slack. */
  socketAckTimeoutMs?: number;
}

interface ResponseUrlTarget {
  channel: string;
  user: string;
  uses: number;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export class SlackSimulator extends Workspace {
  /** The token to give the bot; the one pinned in the options, else a default. */
  readonly botToken: string;
  /** The app-level token to give a Socket Mode app. */
  readonly appToken: string;
  /** Socket Mode: the app's WebSocket connections and the envelopes sent over them. */
  readonly socketMode: SocketModeHub;

  private readonly server: Server;
  private readonly faults = new FaultQueue();
  private readonly responseTargets = new Map<string, ResponseUrlTarget>();
  private readonly pinnedToken: string | undefined;
  private readonly maxBodyBytes: number;
  private baseUrl: string | undefined;

  constructor(options: SlackSimulatorOptions = {}) {
    super(options);
    this.pinnedToken = options.botToken;
    this.botToken = options.botToken ?? DEFAULT_BOT_TOKEN;
    this.maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
    this.appToken = options.appToken ?? DEFAULT_APP_TOKEN;
    this.socketMode = new SocketModeHub({
      workspace: this,
      appId: API_APP_ID,
      ...(options.socketAckTimeoutMs !== undefined ? { ackTimeoutMs: options.socketAckTimeoutMs } : {}),
      baseUrl: () => this.url,
    });
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.socketMode.handleUpgrade(req, socket, head),
    );
  }

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${address.port}`;
  }

  /** e.g. http://127.0.0.1:PORT */
  get url(): string {
    if (this.baseUrl === undefined) throw new Error('simulator: not listening yet');
    return this.baseUrl;
  }

  /** The Web API base, with its trailing slash: pass it as WebClient's slackApiUrl. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** Makes the next `times` calls of `method` (or UPLOAD_ENDPOINT, RESPONSE_URL_ENDPOINT) fail. */
  failNext(method: string, fault: Fault = {}): void {
    this.faults.add(method, fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** A response_url for a command a user typed in a channel; replies land as that user's ephemerals. */
  responseUrl(channelId: string, userId: string): string {
    const token = randomBytes(12).toString('hex');
    this.responseTargets.set(token, { channel: channelId, user: userId, uses: 0 });
    return `${this.url}/response/${token}`;
  }

  /** Stops the server and drops Socket Mode connections; safe to call twice. */
  async close(): Promise<void> {
    if (!this.server.listening) return;
    // Upgraded sockets are no longer the HTTP server's to close.
    this.socketMode.close();
    await new Promise<void>((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      // fetch keeps connections alive; without this close() waits for them to time out.
      this.server.closeAllConnections();
    });
  }

  // ---- routing ------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const [, kind = '', id = ''] = url.pathname.split('/');
    const name =
      kind === 'api' ? id : kind === 'upload' ? UPLOAD_ENDPOINT : kind === 'response' ? RESPONSE_URL_ENDPOINT : url.pathname;
    try {
      if (req.method !== 'POST' && !(req.method === 'GET' && kind === 'api')) {
        sendText(res, 405, 'method_not_allowed');
        return;
      }
      const body = await readBody(req, this.maxBodyBytes);
      let answer: Answer;
      if (kind === 'api') answer = await this.answerApi(id, req, url, body);
      else if (kind === 'upload') answer = await this.answerUpload(id, req, body);
      else if (kind === 'response') answer = await this.answerResponseUrl(id, req, body);
      else {
        sendText(res, 404, 'not_found');
        return;
      }
      sendJson(res, answer.status, answer.body, answer.headers);
    } catch (error) {
      const [status, code] =
        error instanceof BodyTooLargeError
          ? [413, 'request_too_large']
          : error instanceof MalformedBodyError
            ? [400, 'invalid_form_data']
            : [500, 'internal_error'];
      // A 500 here is a simulator bug; the message goes into the call log so a failing test shows it.
      const detail = error instanceof Error ? error.message : String(error);
      this.recordCall({ method: name, args: { detail }, status, ok: false, error: code });
      if (!res.headersSent) sendJson(res, status, { ok: false, error: code, detail });
      else res.destroy();
    }
  }

  /** Takes a queued fault for `name`, recording the failed call. */
  private faulted(name: string, args: Args): FaultResponse | undefined {
    const fault: FaultResponse | undefined = this.faults.take(name);
    if (!fault) return undefined;
    this.recordCall({ method: name, args, status: fault.status, ok: false, error: fault.body.error });
    return fault;
  }

  // ---- the Web API --------------------------------------------------------

  private async answerApi(method: string, req: IncomingMessage, url: URL, body: Buffer): Promise<Answer> {
    const { fields } = await parseBody(req.headers['content-type'], body);
    const args: Args = { ...Object.fromEntries(url.searchParams), ...fields };
    const token = bearerToken(req.headers.authorization) ?? (typeof args.token === 'string' ? args.token : undefined);
    delete args.token;

    const fault = this.faulted(method, args);
    if (fault && !fault.afterEffect) return fault;
    const result = this.callMethod(method, args, token);
    if (fault) return fault;
    const ok = result.ok === true;
    this.recordCall({ method, args, status: 200, ok, ...(ok ? {} : { error: String(result.error) }) });
    return { status: 200, body: result };
  }

  private callMethod(method: string, args: Args, token: string | undefined): Record<string, unknown> {
    if (method === CONNECTIONS_OPEN) return this.openConnection(token);
    const handler = webApiMethods[method];
    if (!handler) return { ok: false, error: 'unknown_method', req_method: method };
    if (token === undefined) return { ok: false, error: 'not_authed' };
    // An app-level token opens connections and nothing else.
    if (token === this.appToken) return { ok: false, error: 'not_allowed_token_type' };
    if (!this.acceptsToken(token)) return { ok: false, error: 'invalid_auth' };
    try {
      const result = handler(args, { workspace: this, uploadUrl: (fileId) => `${this.url}/upload/${fileId}` });
      return { ok: true, ...result };
    } catch (error) {
      if (error instanceof SlackMethodError) return { ok: false, error: error.code, ...error.extra };
      throw error;
    }
  }

  private openConnection(token: string | undefined): Record<string, unknown> {
    if (token === undefined) return { ok: false, error: 'not_authed' };
    if (token !== this.appToken) {
      return { ok: false, error: this.acceptsToken(token) ? 'not_allowed_token_type' : 'invalid_auth' };
    }
    return { ok: true, url: this.socketMode.issueUrl() };
  }

  private acceptsToken(token: string): boolean {
    return this.pinnedToken !== undefined ? token === this.pinnedToken : /^xox[bp]-/.test(token);
  }

  // ---- file bytes ---------------------------------------------------------

  private async answerUpload(fileId: string, req: IncomingMessage, body: Buffer): Promise<Answer> {
    const args: Args = { file_id: fileId, bytes: body.length };
    const fault = this.faulted(UPLOAD_ENDPOINT, args);
    if (fault) return fault;
    const file = this.files.get(fileId);
    if (!file) {
      this.recordCall({ method: UPLOAD_ENDPOINT, args, status: 404, ok: false, error: 'file_not_found' });
      return { status: 404, body: { ok: false, error: 'file_not_found' } };
    }
    // WebClient posts the bytes as multipart/form-data (one part); other clients post them raw.
    const { files, fields } = await parseBody(req.headers['content-type'], body);
    const [part] = files.entries();
    const textPart = typeof fields.body === 'string' ? fields.body : typeof fields.file === 'string' ? fields.file : undefined;
    const bytes = part?.[1] ?? (textPart !== undefined ? Buffer.from(textPart) : body);
    file.content = bytes.toString('utf8');
    file.uploaded = true;
    args.bytes = bytes.length;
    args.encoding = part ? `multipart part "${part[0]}"` : textPart !== undefined ? 'multipart text' : 'raw';
    this.recordCall({ method: UPLOAD_ENDPOINT, args, status: 200, ok: true });
    return { status: 200, body: { ok: true, file_id: fileId, size: bytes.length } };
  }

  // ---- response URLs ------------------------------------------------------

  private async answerResponseUrl(token: string, req: IncomingMessage, body: Buffer): Promise<Answer> {
    const { fields } = await parseBody(req.headers['content-type'], body);
    // Slack also accepts the reply as a form field holding JSON.
    const reply = typeof fields.payload === 'string' ? parsePayload(fields.payload) : fields;
    const target = this.responseTargets.get(token);
    const args: Args = { ...reply, channel: target?.channel, user: target?.user };
    const refuse = (status: number, error: string): Answer => {
      this.recordCall({ method: RESPONSE_URL_ENDPOINT, args, status, ok: false, error });
      return { status, body: { ok: false, error } };
    };

    const fault = this.faulted(RESPONSE_URL_ENDPOINT, args);
    if (fault) return fault;
    if (!target) return refuse(404, 'expired_url');
    target.uses += 1;
    if (target.uses > RESPONSE_URL_USES) return refuse(404, 'used_url');
    if (reply.delete_original === true || reply.delete_original === 'true') {
      this.recordCall({ method: RESPONSE_URL_ENDPOINT, args, status: 200, ok: true });
      return { status: 200, body: { ok: true } };
    }

    const text = typeof reply.text === 'string' ? reply.text : '';
    const blocks = Array.isArray(reply.blocks) ? reply.blocks : undefined;
    if (text === '' && blocks === undefined) return refuse(400, 'no_text');
    if (blocks !== undefined && messageBlocksProblems(blocks).length > 0) return refuse(400, 'invalid_blocks');
    const threadTs = typeof reply.thread_ts === 'string' ? reply.thread_ts : undefined;

    if (reply.response_type === 'in_channel') {
      if (!this.channel(target.channel)) return refuse(404, 'channel_not_found');
      // A response_url may post in a channel the bot has not joined; that is what it is for.
      this.addMessage({
        channel: target.channel,
        user: BOT_USER_ID,
        botId: BOT_ID,
        text,
        ...(blocks !== undefined ? { blocks } : {}),
        ...(threadTs !== undefined ? { threadTs } : {}),
      });
    } else {
      this.addEphemeral({
        channel: target.channel,
        user: target.user,
        text,
        ...(blocks !== undefined ? { blocks } : {}),
        ...(threadTs !== undefined ? { threadTs } : {}),
        via: 'response_url',
        ts: this.nextTs(),
      });
    }
    this.recordCall({ method: RESPONSE_URL_ENDPOINT, args, status: 200, ok: true });
    return { status: 200, body: { ok: true } };
  }
}

function parsePayload(payload: string): Args {
  try {
    return JSON.parse(payload) as Args;
  } catch {
    throw new MalformedBodyError('payload is not JSON');
  }
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

export async function startSlackSimulator(options: SlackSimulatorOptions = {}): Promise<SlackSimulator> {
  const simulator = new SlackSimulator(options);
  await simulator.listen(options.port);
  return simulator;
}
