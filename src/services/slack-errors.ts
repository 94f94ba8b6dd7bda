// Reading the error code out of a failed Web API call.

/** The Slack error code (`name_taken`, `already_pinned`…) of a failed call, if it is one. */
export function slackErrorCode(error: unknown): string | null {
  const data = (error as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === 'string' ? data.error : null;
}

/** Runs a call whose listed error codes mean "already done", treating them as success. */
export async function tolerating<T>(codes: readonly string[], call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    if (codes.includes(slackErrorCode(error) ?? '')) return null;
    throw error;
  }
}
