// `npm run demo`: a scripted incident through the real app and the Slack
// simulator over HTTP, no Slack account needed. Prints what the channel saw,
// then the postmortem draft, and writes the draft to a file.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createLogger } from '../logger.js';
import { formatTime } from '../domain/time.js';
import { U_ALICE, U_BOB, U_CAROL, U_DAN } from '../simulator/constants.js';
import type { SimChannel } from '../simulator/workspace.js';
import { startSandbox, type Sandbox } from './sandbox.js';

const ZONE = 'America/New_York';
const START = Date.parse('2026-04-14T14:02:00Z');

const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[22m` : text);
const dim = (text: string) => (process.stdout.isTTY ? `\x1b[2m${text}\x1b[22m` : text);

/** The demo's own clock: each step happens minutes after the last, as in a real incident. */
class ScriptClock {
  private at = START;
  now = (): number => this.at;
  set(minutesIntoIncident: number): void {
    this.at = START + minutesIntoIncident * 60_000;
  }
}

function nameOf(box: Sandbox, userId: string): string {
  return box.sim.users.get(userId)?.name ?? userId;
}

function line(clock: ScriptClock, who: string, what: string): void {
  process.stdout.write(`${dim(formatTime(clock.now(), ZONE).padEnd(10))} ${bold(who.padEnd(7))} ${what}\n`);
}

function aside(what: string): void {
  process.stdout.write(`${' '.repeat(11)}${dim('↳')} ${what}\n`);
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
  });
  try {
    process.stdout.write(`${bold('sitrep demo')}: a payments incident, played on a simulated Slack workspace.\n\n`);
    const general = box.sim.addChannel({ name: 'payments-oncall', members: [U_ALICE, U_BOB, U_CAROL, U_DAN] });

    const command = async (minute: number, userId: string, channelId: string, text: string) => {
      clock.set(minute);
      line(clock, nameOf(box, userId), `/incident ${text}`);
      const response = await box.driver.command({ userId, channelId, text });
      const reply = (response.body as { text?: string } | undefined)?.text;
      if (reply) aside(`sitrep (only to ${nameOf(box, userId)}): ${reply.split('\n')[0]}`);
    };

    await command(0, U_ALICE, general.id, 'declare sev2 Payments API failing');
      const channel: SimChannel = await box.sim.waitFor(
      () => {
        const opened = box.sim.channelByName('inc-1-payments-api-failing');
        return opened && opened.pins.size > 0 ? opened : undefined;
      },
      { what: 'the incident channel with its pinned summary' },
    );
    aside(`sitrep opened #${channel.name}, invited ${nameOf(box, U_ALICE)}, pinned the incident summary`);
    process.stdout.write(`\n${dim(`#${channel.name}`)}\n`);

    const say = async (minute: number, userId: string, text: string, marks: Array<[string, string]> = []) => {
      clock.set(minute);
      line(clock, nameOf(box, userId), text);
      const { ts } = await box.driver.message({ channelId: channel.id, userId, text });
      for (const [emoji, by] of marks) {
        await box.driver.react({ channelId: channel.id, ts, userId: by, name: emoji });
        aside(`:${emoji}: by ${nameOf(box, by)}`);
      }
    };

    await say(1, U_BOB, 'PagerDuty: checkout-api 5xx rate 23% since 09:58, card payments failing', [['rotating_light', U_ALICE]]);
    await say(3, U_CAROL, 'Authorizations time out at the gateway; captures still succeed', [['mag', U_ALICE]]);
    await say(4, U_DAN, 'Support: customers report "payment declined" at checkout, ~40 tickets so far');
    await say(7, U_ALICE, 'Deploy 4821 went out at 09:57 and cut the gateway timeout from 5s to 50ms', [['bulb', U_CAROL]]);
    await say(8, U_BOB, 'Rolling back 4821 now', [['hammer_and_wrench', U_ALICE]]);
    await say(16, U_BOB, 'Rollback done; 5xx back under 0.1% and authorizations succeeding', [['white_check_mark', U_ALICE]]);
    await say(18, U_CAROL, 'We should validate timeout values in config review', [['memo', U_ALICE]]);
    await say(19, U_DAN, 'Support confirms retries are going through');
    await command(24, U_ALICE, channel.id, 'resolve Rolled back deploy 4821, which had cut the gateway timeout to 50ms; payments recovered at 10:18 EDT.');

    const file = await box.sim.waitFor(() => box.sim.filesIn(channel.id).find((f) => f.uploaded), { what: 'the postmortem draft' });
    aside(`sitrep posted ${file.name} (${file.content.length} bytes) to #${channel.name}`);
    await box.sitrep.ctx.tasks.idle();

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
