// The outbox worker: sends what the outbox holds, in order, and keeps it until
// Slack took it. Failures are retried with backoff (or after Slack's own
// Retry-After); a post whose answer was lost is looked up before it is sent
// again, so a retry never shows the same message twice.

import { findIncident } from '../db/incidents.js';
import { markAttempt, markFailed, markSent, noteError, pendingJobs, type OutboxEntry } from '../db/outbox.js';
import type { ServiceContext } from './context.js';
import { postOnce, refreshSummaryNow } from './broadcast.js';
import { openIncidentChannel, tellDeclarerOfFailure } from './declare.js';
import { publishPostmortem, withdrawDrafts } from './postmortem.js';
import { classifySlackError } from './slack-errors.js';

export interface OutboxOptions {
  /** The first retry's delay; it doubles up to `maxRetryMs`. */
  retryBaseMs: number;
  maxRetryMs: number;
}

export const DEFAULT_OUTBOX_OPTIONS: OutboxOptions = { retryBaseMs: 1000, maxRetryMs: 60_000 };

/** How many jobs one pass reads at a time. */
const BATCH = 50;

/** The outcome of one job: done (sent or failed for good), or wait and try again. */
type Outcome = { done: true } | { done: false; afterMs: number; error: string };

export class Outbox {
  private draining = false;
  /** Waiting out a backoff or Slack's Retry-After: new work waits too, so the wait is honoured. */
  private waiting = false;
  private again = false;
  private stopped = false;
  /** Ends the current wait before a retry early (on stop, or when a new wait replaces it). */
  private wake: (() => void) | undefined;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly options: OutboxOptions = DEFAULT_OUTBOX_OPTIONS,
  ) {}

  /** Something was queued: send it soon. Cheap to call often. */
  kick(): void {
    if (this.stopped) return;
    if (this.draining || this.waiting) {
      this.again = true;
      return;
    }
    this.draining = true;
    this.ctx.tasks.run('send the outbox', () => this.drain());
  }

  /** No new passes; jobs not yet sent stay queued for the next start. */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private async drain(): Promise<void> {
    try {
      do {
        this.again = false;
        const waitMs = await this.pass();
        if (waitMs !== null) {
          this.schedule(waitMs);
          return;
        }
      } while (this.again && !this.stopped);
    } finally {
      this.draining = false;
    }
  }

  /** Sends pending jobs in order; stops at the first that must wait, returning how long. */
  private async pass(): Promise<number | null> {
    for (;;) {
      const jobs = pendingJobs(this.ctx.db, BATCH);
      if (jobs.length === 0) return null;
      for (const entry of jobs) {
        if (this.stopped) return null;
        // Counted before the call: after a crash mid-call, the next attempt looks before it posts.
        markAttempt(this.ctx.db, entry.id);
        const outcome = await this.send(entry);
        // Later jobs wait behind one that must be retried, so the channel reads in order.
        if (!outcome.done) {
          noteError(this.ctx.db, entry.id, outcome.error);
          return outcome.afterMs;
        }
      }
    }
  }

  /**
   * Waits, then tries again. The wait is a tracked task, so whoever waits for
   * background work to settle (shutdown, tests) also waits for the retry.
   */
  private schedule(afterMs: number): void {
    if (this.stopped) return;
    this.wake?.();
    this.waiting = true;
    this.ctx.tasks.run('wait to retry the outbox', async () => {
      const woken = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), afterMs);
        timer.unref();
        this.wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      this.wake = undefined;
      this.waiting = false;
      if (!woken) this.kick();
    });
  }

  private backoff(attempts: number): number {
    return Math.min(this.options.maxRetryMs, this.options.retryBaseMs * 2 ** attempts);
  }

  private async send(entry: OutboxEntry): Promise<Outcome> {
    const { ctx } = this;
    try {
      const incident = findIncident(ctx.db, entry.incidentId);
      if (!incident) throw new Error(`outbox job ${entry.id} names incident ${entry.incidentId}, which does not exist`);
      const { job } = entry;
      switch (job.kind) {
        case 'post': {
          const channel = job.channel === 'incident' ? incident.channelId : job.channel;
          // Jobs run in order, so the channel's own opening came first: without a channel, it failed for good.
          if (!channel) throw new Error(`incident ${incident.number} has no channel`);
          await postOnce(ctx, { channel, text: job.text, key: String(entry.id), since: entry.createdAt, checkFirst: entry.attempts > 0 });
          break;
        }
        case 'open-channel': {
          await openIncidentChannel(ctx, incident.number, job.respondUrl);
          break;
        }
        case 'summary':
          await refreshSummaryNow(ctx, incident.number);
          break;
        case 'postmortem':
          if (job.replace) await withdrawDrafts(ctx, incident.number);
          await publishPostmortem(ctx, incident.number, { since: entry.createdAt, checkFirst: entry.attempts > 0 });
          break;
      }
      markSent(ctx.db, entry.id, ctx.now());
      return { done: true };
    } catch (error) {
      const kind = classifySlackError(error);
      const message = error instanceof Error ? error.message : String(error);
      if (kind.retry) {
        const afterMs = !kind.ambiguous && kind.afterMs !== undefined ? kind.afterMs : this.backoff(entry.attempts);
        ctx.logger.warn({ err: error, job: entry.id, kind: entry.job.kind, afterMs }, 'Slack call failed; will retry');
        return { done: false, afterMs, error: message };
      }
      ctx.logger.error({ err: error, job: entry.id, kind: entry.job.kind }, 'Slack call failed for good; giving up on it');
      markFailed(ctx.db, entry.id, ctx.now(), message);
      if (entry.job.kind === 'open-channel') await tellDeclarerOfFailure(ctx, entry.incidentId, entry.job.respondUrl, message);
      return { done: true };
    }
  }
}
