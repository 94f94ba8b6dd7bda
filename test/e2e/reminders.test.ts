// Reminder nudges over real HTTP, on a clock the tests move by hand. Each
// `checkReminders()` is one pass of what the timer runs in production.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { U_ALICE, U_BOB } from '../../harness/simulator/constants.js';
import { startSlackSimulator, type SlackSimulator } from '../../harness/simulator/server.js';
import type { SimChannel } from '../../harness/simulator/workspace.js';
import { TestClock } from '../support/clock.js';
import { startTestSandbox, STORES, type TestSandbox, type TestSandboxOptions } from '../support/sandbox.js';

describe.each(STORES)('on %s', (store) => {
  const T0 = Date.parse('2026-04-14T14:00:00Z');

  function leadNudges(box: TestSandbox, channel: SimChannel): string[] {
    return box.sim.messages(channel.id).filter((m) => m.botId && /has no lead yet/.test(m.text)).map((m) => m.text);
  }

  function updateNudges(box: TestSandbox, channel: SimChannel): string[] {
    return box.sim.messages(channel.id).filter((m) => m.botId && /No status update on/.test(m.text)).map((m) => m.text);
  }

  describe('reminders', () => {
    let clock: TestClock;
    let box: TestSandbox;
    let expectedErrors: string[];

    beforeEach(() => {
      clock = new TestClock(T0);
      expectedErrors = [];
    });

    afterEach(async () => {
      expect(box.errors().map((line) => line.msg)).toEqual(expectedErrors);
      await box.close();
    });

    async function start(options: Omit<TestSandboxOptions, 'now'> = {}): Promise<void> {
      box = await startTestSandbox({ store, now: clock.now, ...options });
    }

    /** Moves the clock on, then runs one reminder pass. */
    async function after(minutes: number): Promise<void> {
      clock.advance(minutes);
      await box.sitrep.checkReminders();
    }

    async function command(channel: SimChannel, text: string): Promise<void> {
      const answer = await box.driver.command({ userId: U_ALICE, channelId: channel.id, text });
      expect(answer.status).toBe(200);
      await box.sitrep.ctx.tasks.idle();
    }

    it('asks for a lead ten minutes after declaring, once', async () => {
      await start();
      const channel = await box.declare(U_ALICE, 'declare sev2 Payments failing');
      await after(9);
      expect(leadNudges(box, channel)).toEqual([]);
      await after(1);
      expect(leadNudges(box, channel)).toEqual([':bust_in_silhouette: INC-1 has no lead yet. `/incident lead @user` assigns one.']);
      await after(5);
      await after(60);
      expect(leadNudges(box, channel)).toHaveLength(1);
    });

    it('does not ask for a lead when someone leads', async () => {
      await start();
      const channel = await box.declare(U_ALICE, 'declare sev2 Payments failing');
      await command(channel, `lead <@${U_BOB}|bob>`);
      await after(10);
      expect(leadNudges(box, channel)).toEqual([]);
    });

    it('asks for a status update after thirty quiet minutes, and again after thirty more', async () => {
      await start();
      const channel = await box.declare(U_ALICE, 'declare sev2 Payments failing');
      await after(29);
      expect(updateNudges(box, channel)).toEqual([]);
      await after(1);
      expect(updateNudges(box, channel)).toEqual([
        ':alarm_clock: No status update on INC-1 for 30 minutes. Post one with `/incident update <message>` or `/incident status <status> [message]`.',
      ]);
      await after(29);
      expect(updateNudges(box, channel)).toHaveLength(1);
      await after(1);
      expect(updateNudges(box, channel)).toHaveLength(2);
      expect(updateNudges(box, channel)[1]).toMatch(/^:alarm_clock: No status update on INC-1 for 1h\. /);
    });

    it('follows INCIDENT_UPDATE_REMINDER_MINUTES', async () => {
      await start({ env: { INCIDENT_UPDATE_REMINDER_MINUTES: '5' } });
      const channel = await box.declare(U_ALICE, 'declare Short fuse');
      await after(4);
      expect(updateNudges(box, channel)).toEqual([]);
      await after(1);
      expect(updateNudges(box, channel)).toEqual([expect.stringContaining('for 5 minutes')]);
    });

    it('restarts the wait when a status update is posted', async () => {
      await start();
      const channel = await box.declare(U_ALICE, 'declare sev2 Payments failing');
      clock.advance(20);
      await command(channel, 'update Rolled back deploy 4821, watching error rates');
      await after(29);
      expect(updateNudges(box, channel)).toEqual([]);
      await after(1);
      expect(updateNudges(box, channel)).toEqual([expect.stringContaining('for 30 minutes')]);

      clock.advance(10);
      await command(channel, 'status monitoring Error rate back to baseline');
      await after(29);
      expect(updateNudges(box, channel)).toHaveLength(1);
      await after(1);
      expect(updateNudges(box, channel)).toHaveLength(2);
    });

    it('leaves resolved incidents alone', async () => {
      await start();
      const channel = await box.declare(U_ALICE, 'declare sev2 Payments failing');
      clock.advance(5);
      await command(channel, 'resolve Rolled back');
      await after(120);
      expect([...leadNudges(box, channel), ...updateNudges(box, channel)]).toEqual([]);
    });

    it('nudges each incident in its own channel only, private ones included', async () => {
      await start({ prepare: (sim) => ({ INCIDENT_ANNOUNCE_CHANNEL: sim.addChannel({ name: 'incidents' }).id }) });
      const announce = box.sim.channelByName('incidents')!;
      const general = box.sim.channelByName('general')!;
      const open = await box.declare(U_ALICE, 'declare Public one');
      const secret = await box.declarePrivate(U_BOB, 'Secret one', 'inc-2-secret-one');
      await after(30);
      expect(updateNudges(box, open)).toEqual([expect.stringContaining('INC-1')]);
      expect(updateNudges(box, secret)).toEqual([expect.stringContaining('INC-2')]);
      expect(leadNudges(box, secret)).toEqual([expect.stringContaining('INC-2')]);
      const elsewhere = [announce, general].flatMap((channel) => box.sim.messages(channel.id).map((m) => m.text));
      expect(elsewhere.filter((text) => /no lead yet|No status update/.test(text))).toEqual([]);
    });

    it('posts a nudge Slack failed to take once, through the outbox, without holding up the others', async () => {
      await start();
      const first = await box.declare(U_ALICE, 'declare First');
      const second = await box.declare(U_ALICE, 'declare Second');
      await box.sitrep.ctx.tasks.idle();
      // The first nudge's post fails; its answer may have been lost, so the retry looks first.
      box.sim.failNext('chat.postMessage', { error: 'internal_error', status: 500 });
      await after(10);
      await box.sim.waitFor(() => (leadNudges(box, first).length + leadNudges(box, second).length === 2 ? true : undefined), { what: 'both nudges' });
      await box.sitrep.checkReminders();
      expect(leadNudges(box, first)).toHaveLength(1);
      expect(leadNudges(box, second)).toHaveLength(1);
    });
  });

  describe('reminders across a restart', () => {
    let clock: TestClock;
    let sim: SlackSimulator;
    const boxes: TestSandbox[] = [];

    beforeEach(async () => {
      clock = new TestClock(T0);
      // Slack carries on while the bot restarts: one simulator for both runs.
      sim = await startSlackSimulator({ now: clock.now });
    });

    afterEach(async () => {
      for (const box of boxes) expect(box.errors()).toEqual([]);
      await boxes.at(-1)?.close();
      boxes.length = 0;
      await sim.close();
    });

    it('sends a nudge that fell due while it was down, once, and does not repeat one already sent', async () => {
      const before = await startTestSandbox({ store, now: clock.now, sim });
      boxes.push(before);
      const channel = await before.declare(U_ALICE, 'declare sev2 Payments failing');
      clock.advance(10);
      await before.sitrep.checkReminders();
      expect(leadNudges(before, channel)).toHaveLength(1);
      await before.stop();

      // Down across the thirty-minute mark.
      clock.advance(25);
      const after = await startTestSandbox({ store, now: clock.now, sim, restartOf: before });
      boxes.push(after);
      expect(updateNudges(after, channel)).toEqual([]);
      await after.sitrep.checkReminders();
      await after.sitrep.checkReminders();
      expect(updateNudges(after, channel)).toEqual([expect.stringContaining('for 35 minutes')]);
      expect(leadNudges(after, channel)).toHaveLength(1);

      // The repeat is counted from the nudge sent after the restart.
      clock.advance(29);
      await after.sitrep.checkReminders();
      expect(updateNudges(after, channel)).toHaveLength(1);
      clock.advance(1);
      await after.sitrep.checkReminders();
      expect(updateNudges(after, channel)).toHaveLength(2);
    });
  });
});
