// `npm run demo`: a scripted incident through the real app and the Slack
// simulator over HTTP, no Slack account needed. Prints what the channels saw,
// then the postmortem draft, and writes the draft to a file.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { decodeEntities } from '../domain/mrkdwn.js';
import { formatTime } from '../domain/time.js';
import { createLogger } from '../logger.js';
import { U_ALICE, U_BOB, U_CAROL, U_DAN } from '../simulator/constants.js';
import type { SimChannel, SimMessage } from '../simulator/workspace.js';
import { startSandbox, type Sandbox } from './sandbox.js';

const ZONE = 'America/New_York';
const START = Date.parse('2026-04-14T14:02:00Z');

const tty = process.stdout.isTTY;
const bold = (text: string) => (tty ? `\x1b[1m${text}\x1b[22m` : text);
const dim = (text: string) => (tty ? `\x1b[2m${text}\x1b[22m` : text);

/** The demo's own clock: each step happens minutes after the last, as in a real incident. */
class ScriptClock {
  private at = START;
  readonly now = (): number => this.at;
  set(minutesIntoIncident: number): void {
    this.at = START + minutesIntoIncident * 60_000;
  }
}

/** Slack markup as a person reads it in the client: names instead of ids, entities decoded. */
function readable(box: Sandbox, mrkdwn: string): string {
  return decodeEntities(
    mrkdwn
      .replace(/<@([A-Z0-9_]+)(?:\|[^>]*)?>/g, (_m, id: string) => `@${box.sim.users.get(id)?.name ?? id}`)
      .replace(/<#([A-Z0-9_]+)(?:\|([^>]*))?>/g, (_m, id: string, label?: string) => `#${label ?? box.sim.channels.get(id)?.name ?? id}`),
  );
}

class Transcript {
  constructor(
    private readonly box: Sandbox,
    private readonly clock: ScriptClock,
  ) {}

  said(who: string, what: string): void {
    process.stdout.write(`${dim(formatTime(this.clock.now(), ZONE).padEnd(10))} ${bold(who.padEnd(7))} ${what}\n`);
  }

  aside(what: string): void {
    process.stdout.write(`${' '.repeat(11)}${dim('↳')} ${what}\n`);
  }

  botPosted(message: SimMessage): void {
    const where = this.box.sim.channels.get(message.channel)?.name ?? message.channel;
    const lines = readable(this.box, message.text)
      .split('\n')
      .map((line) => (line.startsWith('>') ? `“${line.slice(1)}”` : line));
    this.aside(`sitrep in #${where}: ${lines.join(' ')}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'postmortem-demo.md' } } });
  const out = values.out ?? 'postmortem-demo.md';
  const dir = mkdtempSync(join(tmpdir(), 'sitrep-demo-'));
  const clock = new ScriptClock();
  const box = await startSandbox({
    databasePath: join(dir, 'sitrep.sqlite'),
    env: { INCIDENT_TIMEZONE: ZONE },
    now: clock.now,
    logger: createLogger('warn', pino.destination(2)),
    prepare: (sim) => ({ INCIDENT_ANNOUNCE_CHANNEL: sim.addChannel({ name: 'incidents' }).id }),
  });
  const show = new Transcript(box, clock);
  const name = (userId: string) => box.sim.users.get(userId)?.name ?? userId;
  const mention = (userId: string) => `<@${userId}|${name(userId)}>`;
  try {
    process.stdout.write(`${bold('sitrep demo')}: a payments incident, played on a simulated Slack workspace.\n\n`);
    const oncall = box.sim.addChannel({ name: 'payments-oncall', members: [U_ALICE, U_BOB, U_CAROL, U_DAN] });
    let channel: SimChannel = oncall;
    const stopShowing = box.sim.onBotMessage((message) => {
      if (message.channel !== oncall.id) show.botPosted(message);
    });

    const command = async (minute: number, userId: string, text: string) => {
      clock.set(minute);
      show.said(name(userId), `/incident ${readable(box, text)}`);
      const response = await box.driver.command({ userId, channelId: channel.id, text });
      const reply = (response.body as { text?: string } | undefined)?.text;
      if (reply) show.aside(`sitrep, only to ${name(userId)}: ${readable(box, reply.split('\n')[0] ?? '')}`);
      await box.sitrep.ctx.tasks.idle();
    };
    const say = async (minute: number, userId: string, text: string, marks: Array<[string, string]> = []) => {
      clock.set(minute);
      show.said(name(userId), text);
      const { ts } = await box.driver.message({ channelId: channel.id, userId, text });
      for (const [emoji, by] of marks) {
        await box.driver.react({ channelId: channel.id, ts, userId: by, name: emoji });
        show.aside(`:${emoji}: from ${name(by)}`);
      }
    };

    process.stdout.write(`${dim(`#${oncall.name}`)}\n`);
    await command(0, U_ALICE, 'declare sev2 Payments API failing');
    channel = await box.sim.waitFor(
      () => {
        const opened = box.sim.channelByName('inc-1-payments-api-failing');
        return opened && opened.pins.size > 0 ? opened : undefined;
      },
      { what: 'the incident channel with its pinned summary' },
    );
    await box.sitrep.ctx.tasks.idle();
    show.aside(`sitrep invited ${name(U_ALICE)} to #${channel.name} and pinned that summary, which it keeps up to date`);

    process.stdout.write(`\n${dim(`#${channel.name}`)}\n`);
    await say(1, U_BOB, 'PagerDuty: checkout-api 5xx rate 23% since 09:58, card payments failing', [['rotating_light', U_ALICE]]);
    await command(2, U_ALICE, `lead ${mention(U_ALICE)}`);
    await command(2, U_ALICE, 'timestamp impact-started 09:58');
    await command(2, U_ALICE, 'timestamp detected 10:01');
    await say(3, U_CAROL, 'Authorizations time out at the gateway; captures still succeed', [['mag', U_ALICE]]);
    await say(4, U_DAN, 'Support: customers report "payment declined" at checkout, ~40 tickets so far');
    await command(5, U_ALICE, 'update Card payments are failing for about a quarter of checkouts. We are investigating.');
    await say(7, U_ALICE, 'Deploy 4821 went out at 09:57 and cut the gateway timeout from 5s to 50ms', [['bulb', U_CAROL]]);
    await command(8, U_ALICE, 'status identified A configuration change cut the payment gateway timeout. Rolling it back.');
    await say(8, U_BOB, 'Rolling back 4821 now', [['hammer_and_wrench', U_ALICE]]);
    await say(16, U_BOB, 'Rollback done; 5xx back under 0.1% and authorizations succeeding', [['white_check_mark', U_ALICE]]);
    await command(16, U_ALICE, 'status monitoring The change is rolled back and payments are succeeding. Monitoring.');
    await say(18, U_CAROL, 'We should validate timeout values in config review', [['memo', U_ALICE]]);
    await command(19, U_CAROL, `action Add a canary stage for payment gateway config ${mention(U_BOB)}`);
    await say(20, U_DAN, 'Support confirms retries are going through');
    await command(34, U_ALICE, 'resolve Deploy 4821 cut the payment gateway timeout to 50ms; rolling it back restored payments at 10:18 EDT.');

    const file = await box.sim.waitFor(() => box.sim.filesIn(channel.id).find((f) => f.uploaded), { what: 'the postmortem draft' });
    await box.sitrep.ctx.tasks.idle();
    stopShowing();
    show.aside(`sitrep posted ${file.name} to #${channel.name}`);

    writeFileSync(out, file.content);
    process.stdout.write(`\n${bold('The postmortem draft')} ${dim(`(also written to ${out})`)}\n\n${file.content}\n`);
    process.stdout.write(`${dim(`Written to ${out}. Export any incident the same way with: npm run postmortem -- <INC-n>`)}\n`);
  } finally {
    await box.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
