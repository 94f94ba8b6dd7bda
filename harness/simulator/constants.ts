// The fixed identities of the simulated workspace. Tests and the demo refer to
// these by name, so they are stable strings rather than generated ids.

export const TEAM_ID = 'T_SITREP';
export const TEAM_NAME = 'Sitrep Simulator';
export const TEAM_DOMAIN = 'sitrep-sim';
export const WORKSPACE_URL = `https://${TEAM_DOMAIN}.slack.com/`;
export const API_APP_ID = 'A_SITREP';

/** The bot's user id and bot id: what `auth.test` reports for the bot token. */
export const BOT_USER_ID = 'U_SITREP';
export const BOT_ID = 'B_SITREP';
export const BOT_NAME = 'sitrep';

/** The bot token the simulator hands out; any `xoxb-` token is accepted unless one is pinned. */
export const DEFAULT_BOT_TOKEN = 'xoxb-sitrep-simulator';
/**
 * The app-level token (connections:write) a Socket Mode app opens its
 * connections with. Shaped like Slack's `xapp-1-<app id>-<number>-<hex>`.
 */
export const DEFAULT_APP_TOKEN = `xapp-1-${API_APP_ID}-0000000001-sitrepsimulator`;
/** The legacy verification token Slack still puts in every payload. */
export const VERIFICATION_TOKEN = 'sim-verification-token';

export const U_ALICE = 'U_ALICE';
export const U_BOB = 'U_BOB';
export const U_CAROL = 'U_CAROL';
export const U_DAN = 'U_DAN';
