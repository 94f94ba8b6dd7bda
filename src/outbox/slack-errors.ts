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

/** Platform errors that say "try again later" rather than "this cannot work". */
const TRANSIENT = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

export type FailureKind =
  /** Slack refused for now; retrying cannot repeat anything. `afterMs` is Slack's own wait. */
  | { retry: true; ambiguous: false; afterMs?: number }
  /** The call may or may not have taken effect (lost answer, 5xx, network). */
  | { retry: true; ambiguous: true }
  /** Retrying will not help (unknown channel, bad arguments, our own bug). */
  | { retry: false };

/** How a failed Web API call should be treated, from the errors @slack/web-api throws. */
export function classifySlackError(error: unknown): FailureKind {
  const coded = error as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string } } | null;
  switch (coded?.code) {
    case 'slack_webapi_rate_limited_error':
      return { retry: true, ambiguous: false, afterMs: Math.max(0, (coded.retryAfter ?? 1) * 1000) };
    case 'slack_webapi_request_error':
      return { retry: true, ambiguous: true };
    case 'slack_webapi_http_error':
      return (coded.statusCode ?? 0) >= 500 || coded.statusCode === 408 ? { retry: true, ambiguous: true } : { retry: false };
    case 'slack_webapi_platform_error':
      return TRANSIENT.has(coded.data?.error ?? '') ? { retry: true, ambiguous: true } : { retry: false };
    default:
      return { retry: false };
  }
}
