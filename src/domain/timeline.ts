// What happened during an incident, as the pure domain sees it: recorded
// messages, the incident's own events, and follow-up actions.

import type { Incident, Milestone, Role, Severity, Status } from './incident.js';
import { categoriesOf, type Category, type ReactionMap } from './reactions.js';

/** A message posted in the incident channel, with the marks its reactions give it. */
export interface TimelineMessage {
  /** Slack's `ts`: the message's identity within its channel. */
  ts: string;
  /** Epoch ms, from `ts`. */
  at: number;
  userId: string | null;
  /** Slack mrkdwn as Slack sent it (empty once deleted). */
  text: string;
  threadTs: string | null;
  editedAt: number | null;
  deleted: boolean;
  categories: Category[];
  /** Slack's subtype: null for ordinary messages; `channel_join`, `bot_message`, `file_share`… */
  subtype?: string | null;
  /** Who posted it when there is no user (a bot or integration), as Slack names it. */
  authorName?: string | null;
  /** Files shared with it. */
  files?: ReadonlyArray<SharedFile>;
  /** Who reacted with what: the marks' provenance, kept for the JSON export. */
  reactions?: ReadonlyArray<{ name: string; userId: string }>;
}

/** A message as stored: its marks are derived from its reactions under the configured map. */
export type RecordedMessage = Omit<TimelineMessage, 'categories'>;

/** The messages with the categories their reactions mark under `map` (skin tones ignored). */
export function withMarks(messages: readonly RecordedMessage[], map: ReactionMap): TimelineMessage[] {
  return messages.map((message) => ({
    ...message,
    categories: message.reactions && message.reactions.length > 0 ? categoriesOf(message.reactions.map((reaction) => reaction.name), map) : [],
  }));
}

export interface SharedFile {
  name: string;
  url: string | null;
}

/** A join is a fact about who took part, not something anyone said. */
export function isJoin(message: TimelineMessage): boolean {
  return message.subtype === 'channel_join';
}

/** The incident's own events; `at` is epoch ms, `actorId` the Slack user who caused it. */
export type IncidentEvent =
  | { kind: 'declared'; at: number; actorId: string; title: string; severity: Severity }
  /** A status update; resolving is a status update to `resolved`. */
  | { kind: 'status'; at: number; actorId: string; status: Status; message: string | null }
  | { kind: 'severity'; at: number; actorId: string; from: Severity; to: Severity }
  | { kind: 'role'; at: number; actorId: string; role: Role; userId: string }
  | { kind: 'milestone'; at: number; actorId: string; milestone: Milestone }
  | { kind: 'note'; at: number; actorId: string; text: string }
  /** The summary or the impact statement was set (by the declare form or a command); the last one wins. */
  | { kind: 'summary' | 'impact'; at: number; actorId: string; text: string };

/** What a follow-up action is for, as incident reviews sort them. */
export const ACTION_TYPES = ['prevent', 'detect', 'mitigate', 'process'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export function isActionType(value: string): value is ActionType {
  return (ACTION_TYPES as readonly string[]).includes(value);
}

export interface FollowUpAction {
  text: string;
  ownerId: string | null;
  createdAt: number;
  done: boolean;
  /** Unknown until someone says; the draft then asks. */
  type?: ActionType | null;
  /** A link to the ticket that tracks it (http or https). */
  ticketUrl?: string | null;
  /** Who added it with `/incident action`. */
  createdBy?: string | null;
}

/** Everything the postmortem draft is made from. */
export interface PostmortemInput {
  incident: Incident;
  /** Every recorded message, marked or not, in any order. */
  messages: TimelineMessage[];
  events: IncidentEvent[];
  actions: FollowUpAction[];
  /** Slack user id to display name; ids missing here are shown as the id. */
  names: Readonly<Record<string, string>>;
  /** The reaction map the marks were read with; the draft's prompts name its emoji. Default: the defaults. */
  reactions?: ReactionMap;
  /**
   * The workspace's URL as Slack's `auth.test` gives it (`https://acme.slack.com/`): with
   * the channel and a message's ts it makes the message's permalink. Unknown: no links.
   */
  workspaceUrl?: string | null;
}
