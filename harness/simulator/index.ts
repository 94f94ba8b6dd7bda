// The Slack simulator: a stand-in for Slack over real HTTP, for the end-to-end
// tests and `npm run demo`. `startSlackSimulator` answers the bot's Web API
// calls and keeps what the workspace would show; `SlackDriver` sends the app
// what Slack sends when people use that workspace.

export * from './constants.js';
export { SlackDriver } from './driver.js';
export type {
  ActionOptions,
  CommandOptions,
  DeleteOptions,
  Delivery,
  DriverResponse,
  EditOptions,
  EventOptions,
  HttpDriverOptions,
  MessageOptions,
  OpenHomeOptions,
  RawOptions,
  RawResponse,
  ReactionOptions,
  SlackDriverOptions,
  SocketDriverOptions,
  SubmitViewOptions,
} from './driver.js';
export type { Fault } from './faults.js';
export { RESPONSE_URL_ENDPOINT, SlackSimulator, UPLOAD_ENDPOINT, startSlackSimulator } from './server.js';
export type { SlackSimulatorOptions } from './server.js';
export { signSlackRequest, slackSignatureHeaders } from './signing.js';
export { SocketModeHub } from './socket-mode.js';
export { formatTs, parseTs } from './ts.js';
export type {
  AddChannelOptions,
  AddUserOptions,
  BotMessageChange,
  SimCall,
  SimChannel,
  SimEphemeral,
  SimFile,
  SimHomeTab,
  SimMessage,
  SimModal,
  SimReaction,
  SimUser,
  SimView,
  WaitForOptions,
} from './workspace.js';
