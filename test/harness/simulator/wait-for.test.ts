import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebClient } from '@slack/web-api';
import { startSlackSimulator } from '../../../harness/simulator/index.js';
import type { SlackSimulator } from '../../../harness/simulator/index.js';
import { webClientFor } from './helpers.js';

let sim: SlackSimulator;
let web: WebClient;

beforeEach(async () => {
  sim = await startSlackSimulator();
  web = webClientFor(sim);
});

afterEach(async () => {
  await sim.close();
});

describe('waitFor', () => {
  it('resolves with the predicate’s value once a later change satisfies it', async () => {
    const ops = sim.addChannel({ name: 'ops' });
    let settled = false;
    const waiting = sim
      .waitFor((s) => s.messages(ops.id).find((m) => m.text === 'second'), { what: 'the second message' })
      .finally(() => {
        settled = true;
      });

    await web.chat.postMessage({ channel: ops.id, text: 'first' });
    expect(settled).toBe(false);
    const posting = web.chat.postMessage({ channel: ops.id, text: 'second' });

    const message = await waiting;
    expect(message.text).toBe('second');
    expect((await posting).ts).toBe(message.ts);
  });

  it('resolves at once when the predicate already holds', async () => {
    const ops = sim.addChannel({ name: 'ops' });
    await expect(sim.waitFor((s) => s.channelByName('ops'), { timeoutMs: 50 })).resolves.toBe(ops);
  });

  it('rejects on timeout, naming what never happened and the last API calls', async () => {
    await web.auth.test();
    await expect(web.chat.postMessage({ channel: 'C_GONE', text: 'x' })).rejects.toThrow();

    const error: unknown = await sim
      .waitFor((s) => s.channelByName('inc-1-db'), { timeoutMs: 30, what: 'channel #inc-1-db' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('Timed out after 30 ms waiting for channel #inc-1-db');
    expect(message).toContain('auth.test {} -> ok');
    expect(message).toMatch(/chat\.postMessage \{"channel":"C_GONE","text":"x"\} -> channel_not_found \(HTTP 200\)/);
  });

  it('says so when no API call was made at all', async () => {
    await expect(sim.waitFor(() => false, { timeoutMs: 10 })).rejects.toThrow(/No API calls were made/);
  });

  it('rejects when the predicate throws', async () => {
    const waiting = sim.waitFor((s) => s.messages('C_UNKNOWN').length > 0, { timeoutMs: 1000 });
    await expect(waiting).rejects.toThrow(/no channel C_UNKNOWN/);
  });
});
