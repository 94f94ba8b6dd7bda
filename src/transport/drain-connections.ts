// While a server stops: requests in flight finish and are answered, but nothing
// else may hold the stop. Node's server.close() waits for every open connection,
// so one keep-alive connection with nothing to do, a body that never finishes
// arriving or a client that sent half its headers would keep the process up.
//
// A request whose body has not all arrived has been read by nobody, so nothing
// of it was committed or acknowledged: cutting it costs nothing, and its sender
// (Slack, if it is Slack's) delivers it again. So once the last request that did
// arrive whole has been answered, every connection left is cut, without waiting
// out the grace period.

import type { IncomingMessage, Server } from 'node:http';

/** How often connections that have gone idle since the stop began are closed. */
const SWEEP_MS = 50;

export interface ConnectionDrain {
  /**
   * Call after `server.close()`: closes idle connections now and as each goes idle,
   * every connection once the requests that arrived whole have been answered, and
   * every connection still open after `graceMs`. Returns a function that ends the
   * sweeping once the server has closed.
   */
  drain(graceMs: number): () => void;
}

/** Starts counting the server's unanswered requests; call when it starts listening. */
export function watchConnections(server: Server): ConnectionDrain {
  const unanswered = new Set<IncomingMessage>();
  server.on('request', (request: IncomingMessage, response) => {
    unanswered.add(request);
    response.once('close', () => unanswered.delete(request));
  });
  /** True when every unanswered request is still waiting on its sender's bytes. */
  const onlyStalled = (): boolean => [...unanswered].every((request) => !request.complete);

  return {
    drain(graceMs) {
      const sweep = (): void => {
        if (onlyStalled()) server.closeAllConnections();
        else server.closeIdleConnections();
      };
      sweep();
      const sweeping = setInterval(sweep, SWEEP_MS);
      const cut = setTimeout(() => server.closeAllConnections(), graceMs);
      return () => {
        clearInterval(sweeping);
        clearTimeout(cut);
      };
    },
  };
}
