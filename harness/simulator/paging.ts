// Cursor paging as Slack does it: an opaque `next_cursor`, empty on the last
// page, and pages that may hold fewer items than the `limit` asked for. The
// simulator caps its pages low on purpose, so every list call the bot makes is
// exercised across several pages.

import { SlackMethodError, type Args } from './methods.js';

/** Slack's default when no limit is given. */
const DEFAULT_LIMIT = 100;

export interface Page<T> {
  items: T[];
  response_metadata: { next_cursor: string };
}

function cursorFor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64');
}

function offsetOf(cursor: string): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString());
  if (!match?.[1]) throw new SlackMethodError('invalid_cursor');
  return Number(match[1]);
}

/** One page of `all`, by the call's `limit` and `cursor`, never more than `maxPageSize` items. */
export function pageOf<T>(all: readonly T[], args: Args, maxPageSize: number): Page<T> {
  const cursor = typeof args.cursor === 'string' && args.cursor !== '' ? args.cursor : undefined;
  const asked = Number(args.limit ?? DEFAULT_LIMIT);
  const limit = Number.isFinite(asked) && asked > 0 ? asked : DEFAULT_LIMIT;
  const start = cursor ? offsetOf(cursor) : 0;
  const end = start + Math.min(limit, maxPageSize);
  return { items: all.slice(start, end), response_metadata: { next_cursor: end < all.length ? cursorFor(end) : '' } };
}
