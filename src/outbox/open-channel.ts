// Opening an incident's channel, the outbox's longest job: create it (or adopt the
// one an interrupted declare created), record it with the notices it causes,
// invite the declarer, post and pin the summary. Each step can be repeated after a
// crash without doing anything twice.

import type { ConversationsListResponse } from '@slack/web-api';
import type { IncidentRecord } from '../db/incidents.js';
import type { OutboxJob } from '../db/outbox.js';
import { channelName, incidentRef } from '../domain/incident.js';
import { announcement, summaryMessage } from '../messages/blocks.js';
import { announce } from '../services/broadcast.js';
import { inTransaction } from '../services/transaction.js';
import { postOnce } from './post.js';
import { findInPages } from './slack-pages.js';
import { classifySlackError, slackErrorCode, tolerating } from './slack-errors.js';
import type { ServiceContext, SlackContext } from '../services/context.js';

/** A response_url that does not answer in this long is given up on. */
const RESPONSE_TIMEOUT_MS = 5000;

/** Slack refuses a name in use; after this many suffixes something else is wrong. */
const MAX_NAME_ATTEMPTS = 20;

/**
 * The channel called `name` if sitrep made it and no incident owns it: the trace of
 * a declare that created its channel but stopped before recording it.
 */
async function orphanNamed(ctx: SlackContext, name: string): Promise<{ id: string; name: string } | null> {
  const { user_id: botUserId } = await ctx.slack.auth.test();
  const found = await findInPages(
    ctx.slack,
    'conversations.list',
    { types: 'public_channel,private_channel', exclude_archived: true },
    (page: ConversationsListResponse) => page.channels?.find((channel) => channel.name === name),
  );
  if (!found?.id) return null;
  const ours = found.creator === botUserId && !await ctx.db.findIncidentByChannel(found.id);
  return ours ? { id: found.id, name } : null;
}

async function createChannel(ctx: SlackContext, incident: IncidentRecord): Promise<{ id: string; name: string }> {
  for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt += 1) {
    const name = channelName(ctx.config.channelPrefix, incident.number, incident.title, attempt === 1 ? undefined : attempt);
    try {
      const created = await ctx.slack.conversations.create({ name, is_private: incident.isPrivate });
      const id = created.channel?.id;
      if (!id) throw new Error('conversations.create returned no channel id');
      return { id, name: created.channel?.name ?? name };
    } catch (error) {
      if (slackErrorCode(error) !== 'name_taken') throw error;
      const orphan = await orphanNamed(ctx, name);
      if (orphan) {
        ctx.logger.warn({ incident: incident.number, channel: orphan.id }, 'adopting the channel an interrupted declare created');
        return orphan;
      }
    }
  }
  throw new Error(`no free channel name for ${incidentRef(incident.number)} after ${MAX_NAME_ATTEMPTS} attempts`);
}

/**
 * Opens the incident's channel: creates it, records it (queuing the announcement and
 * the answer to the declarer with it), invites the declarer, posts and pins the summary.
 * Each step is skipped or harmless when it is run again after a crash.
 */
export async function openIncidentChannel(ctx: SlackContext, number: number, respondUrl: string | null): Promise<void> {
  const pending = await ctx.db.findIncident(number);
  if (!pending) throw new Error(`incident ${number} does not exist`);
  if (!pending.channelId) await recordChannel(ctx, number, await createChannel(ctx, pending), respondUrl);
  const incident = await ctx.db.findIncident(number);
  const channelId = incident?.channelId;
  if (!incident || !channelId) throw new Error(`incident ${number} has no channel after creating one`);

  // A refusal (a guest, a deactivated account, a workspace policy) must not leave the
  // incident without its summary and announcement: the channel is set up all the same,
  // and the declarer is told who could not be added and why.
  const refused = await inviteRefusal(ctx, channelId, incident.declaredBy);
  if (refused) {
    ctx.logger.warn({ incident: number, channel: channelId, user: incident.declaredBy, error: refused }, 'Slack would not add the declarer');
    // The answer is queued behind this job, so it has not gone yet.
    await ctx.db.amendUnstarted(number, 'tell-declarer', { refused });
  }
  const summaryTs = incident.summaryTs ?? (await postSummary(ctx, incident, channelId));
  // Pinned on every run: a run that stopped between posting the summary and pinning it left it unpinned.
  if (summaryTs) await tolerating(['already_pinned'], () => ctx.slack.pins.add({ channel: channelId, timestamp: summaryTs }));
  ctx.logger.info({ incident: number, channel: channelId }, 'incident channel open');
}

async function postSummary(ctx: SlackContext, incident: IncidentRecord, channelId: string): Promise<string | undefined> {
  // Looked up first: a summary whose answer was lost must not be posted twice.
  const ts = await postOnce(ctx, {
    channel: channelId,
    ...summaryMessage(incident, ctx.reactions),
    key: `summary:${incident.number}`,
    since: incident.declaredAt,
    checkFirst: true,
  });
  if (ts) await ctx.db.setSummaryMessage(incident.number, ts);
  return ts;
}

/**
 * Records the channel and queues, in the same transaction, what follows from it. A run
 * that finds the channel recorded skips this, so nothing here is ever queued twice. The
 * jobs queue behind the one opening the channel, so they go once its summary is pinned.
 */
async function recordChannel(ctx: SlackContext, number: number, channel: { id: string; name: string }, respondUrl: string | null): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    await tx.db.setIncidentChannel(number, channel.id, channel.name);
    const incident = await tx.db.findIncident(number);
    if (!incident) throw new Error(`incident ${number} does not exist`);
    // The declarer first: they are waiting for it, and it needs no Slack method a rate limit could pause.
    if (respondUrl) await tx.db.enqueue(number, { kind: 'tell-declarer', respondUrl, refused: null, failure: null }, tx.now());
    await announce(tx, incident, announcement(incident, ':rotating_light: Declared'));
  });
}

/** What Slack's refusals to add someone to a channel mean, in words a declarer can act on. */
const INVITE_REFUSALS: Readonly<Record<string, string>> = {
  cant_invite: 'this account cannot be invited to the channel, for example a guest from another organisation',
  ura_max_channels: 'a single-channel guest is already in their one channel',
  user_is_restricted: 'guest accounts cannot be added by an app',
  user_is_ultra_restricted: 'single-channel guests cannot be added by an app',
  not_in_channel: 'sitrep itself is not in the channel',
  user_not_found: 'Slack does not know this account',
  user_disabled: 'the account is deactivated',
};

/**
 * Invites `userId`; resolves with Slack's error code when it refuses for good, or null
 * when they are in (already, or now). A refusal worth retrying (rate limit, outage) throws.
 */
/** Adds someone who took a role; a refusal is logged (the role stands, the channel is theirs to join). */
export async function inviteToChannel(ctx: SlackContext, channel: string, userId: string): Promise<void> {
  const refused = await inviteRefusal(ctx, channel, userId);
  if (refused) ctx.logger.warn({ channel, user: userId, error: refused }, 'Slack would not add someone who took a role');
}

async function inviteRefusal(ctx: SlackContext, channel: string, userId: string): Promise<string | null> {
  try {
    await tolerating(['already_in_channel', 'cant_invite_self'], () => ctx.slack.conversations.invite({ channel, users: userId }));
    return null;
  } catch (error) {
    const code = slackErrorCode(error);
    if (code === null || classifySlackError(error).retry) throw error;
    return code;
  }
}

/**
 * Slack refused the channel for good (a workspace policy, say): the declarer must hear it.
 * Call it in the transaction that gives up on the job. An incident with a channel was
 * opened, and its answer is queued already.
 */
export async function queueDeclareFailure(ctx: ServiceContext, number: number, respondUrl: string | null, reason: string): Promise<void> {
  if (!respondUrl || (await ctx.db.findIncident(number))?.channelId) return;
  await ctx.db.enqueue(number, { kind: 'tell-declarer', respondUrl, refused: null, failure: reason }, ctx.now());
}

/** The answer to the declarer, written when it is sent: the channel is recorded by then. */
export async function answerDeclarer(ctx: SlackContext, number: number, job: Extract<OutboxJob, { kind: 'tell-declarer' }>): Promise<void> {
  await tellDeclarer(ctx, job.respondUrl, job.failure === null ? await openedText(ctx, number, job.refused) : failedText(number, job.failure));
}

async function openedText(ctx: SlackContext, number: number, refused: string | null): Promise<string> {
  const channelId = (await ctx.db.findIncident(number))?.channelId;
  const opened = `${incidentRef(number)} is open in <#${channelId}>. Everything said there is recorded.`;
  const notAdded = refused
    ? ` Slack would not add you to it (\`${refused}\`: ${INVITE_REFUSALS[refused] ?? 'see Slack\'s conversations.invite errors'}); ask someone in the channel to add you.`
    : '';
  return opened + notAdded;
}

function failedText(number: number, reason: string): string {
  return `:warning: Slack refused to create a channel for ${incidentRef(number)} (${reason}). Create one by hand, or ask a workspace admin whether apps may create channels.`;
}

/**
 * Answers through a slash command's response_url. Only a courtesy (the channel is
 * in the declarer's sidebar already), so a failure is logged, not retried.
 */
async function tellDeclarer(ctx: SlackContext, url: string, text: string): Promise<void> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      signal: AbortSignal.timeout(RESPONSE_TIMEOUT_MS),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
    });
    if (!response.ok) throw new Error(`response_url answered ${response.status}`);
  } catch (err) {
    ctx.logger.warn({ err }, 'could not tell the declarer where the channel is');
  }
}
