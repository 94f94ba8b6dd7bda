// Injected failures: "the next N calls of this method fail like so". Used to
// test that the bot survives Slack's rate limits, outages and refusals. A
// faulted call changes nothing in the workspace, as when Slack refuses it,
// unless the fault says the answer was lost after the call took effect.

export interface Fault {
  /** Slack's error code for an `{ ok: false, error }` answer. */
  error?: string;
  /** HTTP status; 429 gets a Retry-After header. Default 200 (Slack's usual for errors). */
  status?: number;
  /** Seconds for the Retry-After header; default 1 on a 429. */
  retryAfter?: number;
  /** How many calls in a row fail; default 1. */
  times?: number;
  /**
   * The call takes effect and only its answer fails, as when Slack's response is lost
   * on the way back. The bot cannot tell this from a refused call, so a retry must not
   * repeat what already happened.
   */
  afterEffect?: boolean;
}

export interface FaultResponse {
  afterEffect: boolean;
  status: number;
  headers: Record<string, string>;
  body: { ok: false; error: string };
}

function responseFor(fault: Fault): FaultResponse {
  const status = fault.status ?? 200;
  const headers: Record<string, string> = {};
  const retryAfter = fault.retryAfter ?? (status === 429 ? 1 : undefined);
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  const defaultError = status === 429 ? 'ratelimited' : status >= 500 ? 'internal_error' : 'fatal_error';
  return { afterEffect: fault.afterEffect ?? false, status, headers, body: { ok: false, error: fault.error ?? defaultError } };
}

export class FaultQueue {
  private readonly pending = new Map<string, { response: FaultResponse; remaining: number }[]>();

  add(method: string, fault: Fault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`failNext: times must be a positive integer, got ${times}`);
    const queue = this.pending.get(method) ?? [];
    queue.push({ response: responseFor(fault), remaining: times });
    this.pending.set(method, queue);
  }

  /** The failure for this call of `method`, if one is queued; consumes it. */
  take(method: string): FaultResponse | undefined {
    const queue = this.pending.get(method);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.remaining -= 1;
    if (head.remaining === 0) queue.shift();
    if (queue.length === 0) this.pending.delete(method);
    return head.response;
  }

  clear(): void {
    this.pending.clear();
  }
}
