// Slack's list methods answer a page at a time (`response_metadata.next_cursor`,
// empty on the last page), and may return fewer items than asked for even when
// more remain. Every list call goes through here, so none stops at its first page.

import type { WebAPICallResult, WebClient } from '@slack/web-api';

/** Slack's pagination guide recommends no more than 200 items a page; every list method takes it. */
export const PAGE_SIZE = 200;

/**
 * Reads the pages of `method` in order until `pick` finds something in one (its
 * answer is returned) or the pages run out (undefined).
 */
export async function findInPages<Page extends WebAPICallResult, T>(
  client: WebClient,
  method: string,
  args: Record<string, unknown>,
  pick: (page: Page) => T | undefined,
): Promise<T | undefined> {
  for await (const page of client.paginate(method, { ...args, limit: PAGE_SIZE })) {
    const found = pick(page as Page);
    if (found !== undefined) return found;
  }
  return undefined;
}
