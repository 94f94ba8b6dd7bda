// Slack's Web API as a bot reaches it through a door the test controls: every call is
// passed on to the simulator, and the test may hold a call before it goes through (a
// Slack that is slow to answer) or drop Slack's answer on its way back (the call took
// effect; the bot never hears of it).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface DoorHooks {
  /** Before the call goes through; what it returns is waited for. */
  before?(path: string): Promise<void> | void;
  /** After Slack answered: true loses the answer. */
  dropAnswer?(path: string): boolean;
}

/** Starts the door in front of `target` (the simulator's API URL); `url` is what the bot gets as SLACK_API_URL. */
export async function startSlackDoor(target: string, hooks: DoorHooks = {}): Promise<{ url: string; server: Server }> {
  const forward = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = req.url ?? '/';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    await hooks.before?.(path);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) headers[name] = value;
    }
    const answer = await fetch(new URL(path, target), { method: req.method ?? 'POST', headers, body: Buffer.concat(chunks) });
    const body = Buffer.from(await answer.arrayBuffer());
    if (hooks.dropAnswer?.(path)) return;
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    res.end(body);
  };
  const server = createServer((req, res) => void forward(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}${new URL(target).pathname}`, server };
}
