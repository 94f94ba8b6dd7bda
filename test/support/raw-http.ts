// HTTP requests that fetch cannot send: the head of a request without its body,
// and a chunked body that is still being sent when the answer comes.

import { request } from 'node:http';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Whether the request body was still unfinished when the answer arrived. */
  answeredBeforeBodyEnded: boolean;
}

interface Pending {
  url: string;
  headers: Record<string, string>;
  /** Chunks written one after another; the request is never ended, so only the answer settles it. */
  chunks?: readonly Buffer[];
}

function send({ url, headers, chunks = [] }: Pending): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, answeredBeforeBodyEnded: !req.writableEnded });
      req.destroy();
    });
    // Once the answer is in, the server may close while chunks are still going: that is expected.
    req.on('error', (error) => reject(error));
    req.flushHeaders();
    for (const chunk of chunks) req.write(chunk);
  });
}

/** Sends only the request head (method, path, headers) and waits for the answer. */
export function sendHeadOnly(url: string, headers: Record<string, string>): Promise<RawAnswer> {
  return send({ url, headers });
}

/** Sends `body` chunked (no Content-Length), in `chunkSize` pieces, never ending it; waits for the answer. */
export function sendChunkedUnfinished(url: string, headers: Record<string, string>, body: Buffer, chunkSize = 64 * 1024): Promise<RawAnswer> {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < body.length; offset += chunkSize) chunks.push(body.subarray(offset, offset + chunkSize));
  return send({ url, headers: { ...headers, 'transfer-encoding': 'chunked' }, chunks });
}
