// While a server stops: requests in flight finish and are answered, but nothing
// else may hold the stop. Node's server.close() waits for every open connection,
// so one keep-alive connection with nothing to do, a body that never finishes
// arriving or a client that sent half its headers would keep the process up.

import type { Server } from 'node:http';

/** How often connections that have gone idle since the stop began are closed. */
const SWEEP_MS = 50;

/**
 * Call after `server.close()`: closes idle connections now and as each goes idle,
 * and every connection still open after `graceMs`. Returns a function that ends
 * the sweeping once the server has closed.
 */
export function drainConnections(server: Server, graceMs: number): () => void {
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), SWEEP_MS);
  const cut = setTimeout(() => server.closeAllConnections(), graceMs);
  return () => {
    clearInterval(sweep);
    clearTimeout(cut);
  };
}
