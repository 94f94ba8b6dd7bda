// Every listener, registered on the app. Each kind lives in its own folder and
// registers itself; the inbound middleware runs before all of them.

import type { App } from '@slack/bolt';
import type { SlackContext } from '../services/context.js';
import { Inbound } from '../services/inbound.js';
import { registerCommands, type CommandOptions } from './commands/index.js';
import { registerEvents } from './events/index.js';
import { registerHome } from './home/index.js';
import { registerInbound } from './inbound.js';
import { registerViews } from './views/index.js';

export function registerListeners(app: App, ctx: SlackContext, options: CommandOptions = {}): void {
  registerInbound(app, new Inbound(ctx));
  registerCommands(app, ctx, options);
  registerEvents(app, ctx);
  registerViews(app, ctx);
  registerHome(app, ctx);
}
