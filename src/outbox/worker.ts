// The outbox worker: sends what the outbox holds and keeps it until Slack took
// it. Each incident's jobs form a lane, sent in order, so its channel reads in
// order; lanes go independently, so one incident waiting out a failure holds up
// no other. Failures are retried with backoff (or after Slack's own
// Retry-After); a post whose answer was lost is looked up before it is sent
// again, so a retry never shows the same message twice.
//
// Slack rate-limits each method across the workspace, so a 429 pauses that
// method for every lane until its Retry-After: a lane whose next job may call
// it waits, the others go on. A backoff after an outage holds only its own lane.

import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import webApi from '@slack/web-api';
import type { LaneClaim, OutboxEntry, OutboxJob } from '../db/outbox.js';
import type { SlackContext } from '../services/context.js';
import { republishHomes } from '../courtesies/home.js';
import { postOnce, refreshSummaryNow } from './post.js';
import { answerDeclarer, inviteToChannel, openIncidentChannel, queueDeclareFailure } from './open-channel.js';
import { publishPostmortem, withdrawDrafts } from './publish-draft.js';
import { classifySlackError } from './slack-errors.js';
import { inTransaction } from '../services/transaction.js';

export interface OutboxOptions {
  /** The first retry's delay; it doubles up to `maxRetryMs`. */
  retryBaseMs: number;
  maxRetryMs: number;
  /**
   * How long a job taken by a replica stays its own (PostgreSQL) without a word from it.
   * The replica renews the lease every third of it while it sends, so a job may take
   * longer (Slack calls that hang near their 10 s timeout, a big upload); once a replica
   * that died holding a job stops renewing, the job is taken over after this, and the
   * post-once lookups keep what it did send from repeating.
   */
  leaseMs: number;
  /**
   * Look for work this often even when nothing here queued any: with several replicas
   * (PostgreSQL) another one may have queued it and died, or left a job whose lease has
   * run out. Null on SQLite, where every job was queued by this process.
   */
  pollMs: number | null;
}

/** How many times a job failing for a reason of our own (the store, say) is tried before it fails for good. */
const OWN_FAILURE_ATTEMPTS = 8;
const AMBIGUOUS = { retry: true, ambiguous: true } as const;

/** Errors the Web API client throws carry a `slack_webapi_*` code. */
const isSlackError = (error: unknown): boolean => String((error as { code?: unknown } | null)?.code ?? '').startsWith('slack_webapi_');

export const DEFAULT_OUTBOX_OPTIONS: OutboxOptions = { retryBaseMs: 1000, maxRetryMs: 60_000, leaseMs: 60_000, pollMs: null };

/** The outcome of one job: done (sent or failed for good), or wait and try again. */
type Outcome = { done: true } | { done: false; afterMs: number; error: string };

/**
 * The Web API methods a job may call, so that it does not start while one is rate-limited.
 * `checkFirst`: an earlier attempt may have taken effect, so the job looks before it acts.
 */
function methodsOf(job: OutboxJob, checkFirst: boolean): readonly string[] {
  const lookups = checkFirst ? ['auth.test', 'conversations.history'] : [];
  switch (job.kind) {
    case 'open-channel':
      return ['conversations.create', 'conversations.list', 'auth.test', 'conversations.invite', 'conversations.history', 'chat.postMessage', 'pins.add'];
    case 'post':
      return ['chat.postMessage', ...lookups];
    case 'summary':
      return ['chat.update'];
    case 'postmortem':
      return ['users.info', 'files.delete', 'files.getUploadURLExternal', 'files.completeUploadExternal', ...lookups];
    case 'tell-declarer':
      // A response_url is not a Web API method, and Slack does not rate-limit it with them.
      return [];
    case 'invite':
      return ['conversations.invite'];
  }
}

/** Rate limits and backoffs are waits in real time, whatever the app's clock says. */
const monotonic = (): number => performance.now();

/** A wait for a backoff or a Retry-After to end. */
interface RetryWait {
  at: number;
  cancel: () => void;
}

export class Outbox {
  private stopped = false;
  /** A pass over the lanes is queued: one is enough for any number of kicks. */
  private scanning = false;
  /** Incidents whose lane is sending now: one job at a time each, so each reads in order. */
  private readonly busy = new Set<number>();
  /** How this process takes jobs when several replicas share a PostgreSQL store. */
  private readonly claim: LaneClaim;
  /** Lanes backing off after a failure, until (monotonic ms). */
  private readonly heldUntil = new Map<number, number>();
  /** Methods Slack rate-limited, until (monotonic ms). */
  private readonly pausedUntil = new Map<string, number>();
  private retryWait: RetryWait | undefined;
  /** Wakes the worker when a job's not-before time comes. */
  private dueTimer: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: SlackContext,
    private readonly options: OutboxOptions = DEFAULT_OUTBOX_OPTIONS,
  ) {
    this.claim = { replica: randomUUID(), leaseMs: options.leaseMs };
    if (options.pollMs !== null) {
      this.poll = setInterval(() => this.kick(), options.pollMs);
      this.poll.unref();
    }
    // The client says which call was rate-limited; the error it throws does not.
    ctx.slack.on(webApi.WebClientEvent.RATE_LIMITED, (retrySec: number, request: { url?: string }) => {
      this.pauseMethod(methodOfUrl(request.url), retrySec * 1000);
    });
  }

  /** Something was queued (or a wait ended): send what can go. Cheap to call often. */
  kick(): void {
    if (this.stopped || this.scanning) return;
    this.scanning = true;
    this.ctx.tasks.run('send the outbox', async () => {
      this.scanning = false;
      await this.scan();
    });
  }

  /** No new jobs start; jobs not yet sent stay queued for the next start. */
  stop(): void {
    this.stopped = true;
    this.retryWait?.cancel();
    clearTimeout(this.dueTimer);
    clearInterval(this.poll);
  }

  /** Starts every lane whose next job can go now, and sets a wake-up for the ones that wait. */
  private async scan(): Promise<void> {
    if (this.stopped) return;
    let retryAt = Infinity;
    for (const entry of await this.ctx.db.laneHeads(this.ctx.now())) {
      if (this.busy.has(entry.incidentId)) continue;
      const readyAt = this.readyAt(entry);
      if (readyAt > monotonic()) retryAt = Math.min(retryAt, readyAt);
      else this.startLane(entry.incidentId);
    }
    if (retryAt !== Infinity) this.waitToRetry(retryAt);
    this.wakeWhenDue(await this.ctx.db.nextNotBefore(this.ctx.now()));
  }

  private startLane(incidentId: number): void {
    this.busy.add(incidentId);
    this.ctx.tasks.run(`send the outbox of incident ${incidentId}`, async () => {
      try {
        await this.runLane(incidentId);
      } finally {
        this.busy.delete(incidentId);
        // What was queued for this lane while it was busy, and what it now waits for.
        this.kick();
      }
    });
  }

  /** Sends the lane's jobs in order until it is empty or its next job must wait. */
  private async runLane(incidentId: number): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const next = await this.ctx.db.nextInLane(incidentId, this.ctx.now());
      if (!next || this.readyAt(next) > monotonic()) return;
      // Taken, with the attempt counted, before the call: after a crash mid-call the next
      // attempt looks before it posts, and no other replica sends it meanwhile. Null: one did.
      const entry = await this.ctx.db.claimNextInLane(incidentId, this.ctx.now(), this.claim);
      if (!entry) return;
      const outcome = await this.send(entry);
      // Later jobs of this incident wait behind one that must be retried, so its channel reads in order.
      if (!outcome.done) {
        await this.ctx.db.noteError(entry.id, outcome.error, this.claim.replica);
        this.heldUntil.set(incidentId, monotonic() + outcome.afterMs);
        return;
      }
      this.heldUntil.delete(incidentId);
    }
  }

  /** When `entry` may start (monotonic ms): after its lane's backoff and every pause of a method it may call. */
  private readyAt(entry: OutboxEntry): number {
    const waits = [this.heldUntil.get(entry.incidentId) ?? 0];
    for (const method of methodsOf(entry.job, entry.attempts > 0)) waits.push(this.pausedUntil.get(method) ?? 0);
    return Math.max(...waits);
  }

  private pauseMethod(method: string, forMs: number): void {
    const until = monotonic() + forMs;
    if ((this.pausedUntil.get(method) ?? 0) >= until) return;
    this.pausedUntil.set(method, until);
    this.ctx.logger.warn({ method, afterMs: forMs }, 'Slack rate-limited a method; every incident waits before calling it again');
  }

  /**
   * Wakes the worker once a backoff or Retry-After has passed. The wait is a tracked
   * task, so whoever waits for background work to settle (shutdown, tests) also waits
   * for the retry.
   */
  private waitToRetry(at: number): void {
    if (this.stopped || (this.retryWait && this.retryWait.at <= at)) return;
    this.retryWait?.cancel();
    let cancel: () => void = () => {};
    const elapsed = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(true), Math.max(0, at - monotonic()));
      timer.unref();
      cancel = () => {
        clearTimeout(timer);
        resolve(false);
      };
    });
    const wait: RetryWait = { at, cancel };
    this.retryWait = wait;
    this.ctx.tasks.run('wait to retry the outbox', async () => {
      const woken = await elapsed;
      if (this.retryWait === wait) this.retryWait = undefined;
      if (woken) this.kick();
    });
  }

  /**
   * Wakes the worker when the earliest not-before time comes (on the app's clock). Not a
   * tracked task: nothing is left to do until then, and a minute is no retry to wait for.
   */
  private wakeWhenDue(at: number | null): void {
    clearTimeout(this.dueTimer);
    this.dueTimer = undefined;
    if (at === null || this.stopped) return;
    this.dueTimer = setTimeout(() => this.kick(), Math.max(0, at - this.ctx.now()));
    this.dueTimer.unref();
  }

  private backoff(attempts: number): number {
    return Math.min(this.options.maxRetryMs, this.options.retryBaseMs * 2 ** attempts);
  }

  private async send(entry: OutboxEntry): Promise<Outcome> {
    const { ctx } = this;
    try {
      await this.holdingLease(entry, () => this.perform(entry));
    } catch (error) {
      // Not Slack's answer: the store failing (PostgreSQL failing over) is retried like an
      // outage, for a while; anything else from our side (a bug) fails the job then.
      const kind = isSlackError(error) || entry.attempts >= OWN_FAILURE_ATTEMPTS ? classifySlackError(error) : AMBIGUOUS;
      const message = error instanceof Error ? error.message : String(error);
      if (kind.retry) {
        const afterMs = !kind.ambiguous && kind.afterMs !== undefined ? kind.afterMs : this.backoff(entry.attempts);
        ctx.logger.warn({ err: error, job: entry.id, kind: entry.job.kind, afterMs }, 'Slack call failed; will retry');
        return { done: false, afterMs, error: message };
      }
      ctx.logger.error({ err: error, job: entry.id, kind: entry.job.kind }, 'Slack call failed for good; giving up on it');
      const { job } = entry;
      await inTransaction(ctx, async (tx) => {
        // A job another replica took over is its to finish, and to tell the declarer about.
        const recorded = await tx.db.markFailed(entry.id, tx.now(), message, this.claim.replica);
        if (recorded && job.kind === 'open-channel') await queueDeclareFailure(tx, entry.incidentId, job.respondUrl, message);
      });
      return { done: true };
    }
    // Sent. If this write fails the job stays queued, counted as attempted: the next
    // attempt looks before it sends (post once), so it is not sent twice.
    if (!(await ctx.db.markSent(entry.id, ctx.now(), this.claim.replica))) {
      ctx.logger.warn({ job: entry.id, kind: entry.job.kind }, 'sent an outbox job another replica had taken over; it is left for that one to finish');
    }
    return { done: true };
  }

  /**
   * Runs `work` on a claimed job with its lease renewed every third of it, so that no
   * replica takes the job over while this one is still sending it. The renewals end
   * with the work, however it ends, and before its outcome is written: a renewal
   * landing after that would find the job done and say the claim was lost.
   */
  private async holdingLease(entry: OutboxEntry, work: () => Promise<void>): Promise<void> {
    const stopRenewing = renewWhileSending(this.ctx, entry, this.claim);
    try {
      await work();
    } finally {
      await stopRenewing();
    }
  }

  private async perform(entry: OutboxEntry): Promise<void> {
    const { ctx } = this;
    const incident = await ctx.db.findIncident(entry.incidentId);
    if (!incident) throw new Error(`outbox job ${entry.id} names incident ${entry.incidentId}, which does not exist`);
    // The attempts counted before this one: any means an earlier call may have taken effect.
    const checkFirst = entry.attempts > 0;
    const { job } = entry;
    switch (job.kind) {
      case 'post': {
        const channel = job.channel === 'incident' ? incident.channelId : job.channel;
        // A lane runs in order, so the channel's own opening came first: without a channel, it failed for good.
        if (!channel) throw new Error(`incident ${incident.number} has no channel`);
        await postOnce(ctx, { channel, text: job.text, key: String(entry.id), since: entry.createdAt, checkFirst });
        return;
      }
      case 'open-channel':
        await openIncidentChannel(ctx, incident.number, job.respondUrl);
        return;
      case 'summary':
        await refreshSummaryNow(ctx, incident.number);
        // Every change to an incident refreshes its summary: the Home tabs follow it.
        republishHomes(ctx);
        return;
      case 'postmortem':
        if (job.replace) await withdrawDrafts(ctx, incident.number);
        await publishPostmortem(ctx, incident.number, { since: entry.createdAt, checkFirst });
        return;
      case 'tell-declarer':
        // A response_url keeps no record to look in: after an attempt that may have
        // reached it, answering again could say it twice, and it is only a courtesy.
        if (checkFirst) ctx.logger.warn({ job: entry.id, incident: incident.number }, 'an answer to the declarer may not have gone; not sending it twice');
        else await answerDeclarer(ctx, incident.number, job);
        return;
      case 'invite':
        if (!incident.channelId) throw new Error(`incident ${incident.number} has no channel`);
        await inviteToChannel(ctx, incident.channelId, job.userId);
        return;
    }
  }
}

/**
 * Renews `entry`'s lease on a real timer (not the app's clock, which tests may hold
 * still; the lease's new end is on the app's clock) until the returned stop is called;
 * the stop waits for a renewal under way. One renewal at a time: a slow store skips
 * beats rather than piling them up. Once the claim is found lost, renewing stops.
 */
function renewWhileSending(ctx: SlackContext, entry: OutboxEntry, claim: LaneClaim): () => Promise<void> {
  let renewing: Promise<void> | undefined;
  const timer = setInterval(() => {
    renewing ??= renewOnce(ctx, entry, claim, () => clearInterval(timer)).finally(() => (renewing = undefined));
  }, claim.leaseMs / 3);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await renewing;
  };
}

async function renewOnce(ctx: SlackContext, entry: OutboxEntry, claim: LaneClaim, lost: () => void): Promise<void> {
  const where = { job: entry.id, kind: entry.job.kind, replica: claim.replica };
  try {
    if (await ctx.db.renewLease(entry.id, ctx.now(), claim)) return;
    lost();
    ctx.logger.warn(where, 'another replica took over an outbox job while this one was sending it; what this one learns of it is not recorded');
  } catch (error) {
    // The lease may run out meanwhile; if another replica takes the job then, the next renewal says so.
    ctx.logger.warn({ ...where, err: error }, 'could not renew the lease on an outbox job; trying again');
  }
}

/** `https://slack.com/api/chat.postMessage` → `chat.postMessage`. */
function methodOfUrl(url: string | undefined): string {
  const path = url ? new URL(url).pathname : '';
  return path.slice(path.lastIndexOf('/') + 1);
}
