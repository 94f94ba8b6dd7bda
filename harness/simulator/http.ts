// Reading requests and writing responses for the simulator's HTTP server.
//
// @slack/web-api sends Web API calls form-encoded, with any object or array
// argument (blocks, view, files...) JSON-encoded into a single form field, and
// sends file bytes as multipart/form-data. Bolt's respond() sends JSON. All of
// that arrives here and leaves as one plain object of arguments.

import type { IncomingMessage, ServerResponse } from 'node:http';

/** Form fields Slack documents as JSON; only these are decoded, so `text: "[1]"` stays text. */
const JSON_FIELDS = new Set(['attachments', 'blocks', 'files', 'metadata', 'unfurls', 'view']);

export class BodyTooLargeError extends Error {
  constructor(limitBytes: number) {
    super(`request body exceeds ${limitBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limitBytes) throw new BodyTooLargeError(limitBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export interface ParsedBody {
  fields: Record<string, unknown>;
  /** Binary parts of a multipart body, by field name. */
  files: Map<string, Buffer>;
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function decodeJsonFields(fields: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(fields)) {
    if (!JSON_FIELDS.has(key) || typeof value !== 'string') continue;
    try {
      fields[key] = JSON.parse(value) as unknown;
    } catch {
      // Left as a string: the method handler answers invalid_arguments for it.
    }
  }
  return fields;
}

export class MalformedBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedBodyError';
  }
}

/** Decodes a JSON, form-encoded or multipart body; anything else yields no fields. */
export async function parseBody(contentType: string | undefined, body: Buffer): Promise<ParsedBody> {
  const type = mediaType(contentType);
  const files = new Map<string, Buffer>();
  if (body.length === 0) return { fields: {}, files };
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new MalformedBodyError('invalid JSON body');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new MalformedBodyError('JSON body must be an object');
    }
    return { fields: decodeJsonFields({ ...(parsed as Record<string, unknown>) }), files };
  }
  if (type === 'application/x-www-form-urlencoded') {
    const fields = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
    return { fields: decodeJsonFields(fields), files };
  }
  if (type === 'multipart/form-data') {
    // The fetch API's own multipart parser, rather than a hand-written one.
    const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType ?? '' } }).formData();
    const fields: Record<string, unknown> = {};
    for (const [key, value] of form.entries()) {
      if (typeof value === 'string') fields[key] = value;
      else files.set(key, Buffer.from(await value.arrayBuffer()));
    }
    return { fields: decodeJsonFields(fields), files };
  }
  return { fields: {}, files };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}
