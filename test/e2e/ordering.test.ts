// Edits and reactions in Slack's order, not the network's: an older edit
// delivered after a newer one changes nothing, and a person's add and remove of
// one emoji on one message are ordered by their event times.

import { afterEach, describe, expect, it } from 'vitest';
import { U_ALICE, U_BOB, U_CAROL } from '../../harness/simulator/constants.js';
import type { SimChannel } from '../../harness/simulator/workspace.js';
import { startTestSandbox, STORES, type TestSandbox } from '../support/sandbox.js';

describe.each(STORES)('on %s', (store) => {
  let box: TestSandbox;

  afterEach(async () => {
    expect(box.errors()).toEqual([]);
    await box.close();
  });

  function edit(channel: SimChannel, ts: string, text: string, editTs: string) {
    return {
      type: 'message',
      subtype: 'message_changed',
      hidden: true,
      channel: channel.id,
      channel_type: 'channel',
      ts: editTs,
      event_ts: editTs,
      message: { type: 'message', user: U_BOB, text, ts, edited: { user: U_BOB, ts: editTs } },
    };
  }

  function reaction(type: 'reaction_added' | 'reaction_removed', channel: SimChannel, ts: string, eventTs: string) {
    return { type, user: U_CAROL, reaction: 'rotating_light', item: { type: 'message', channel: channel.id, ts }, item_user: U_BOB, event_ts: eventTs };
  }

  const storedText = async (ts: string) => (await box.exported(1)).timeline.find((message) => message.ts === ts);

  describe('edits out of order', () => {
    it('keeps the newest text when an older edit arrives after a newer one', async () => {
      box = await startTestSandbox({ store });
      const channel = await box.declare(U_ALICE, 'declare sev2 Redaction');
      const said = await box.driver.message({ channelId: channel.id, userId: U_BOB, text: 'token abc123' });
      const older = box.sim.nextTs();
      const newer = box.sim.nextTs();
      await box.driver.event(edit(channel, said.ts, 'token [redacted]', newer));
      await box.driver.event(edit(channel, said.ts, 'token abc123, the prod one', older));
      expect((await storedText(said.ts))?.text).toBe('token [redacted]');
      expect((await box.draft(1))).not.toContain('abc123');
    });
  });

  describe('reactions out of order', () => {
    it('leaves no mark when the remove arrives before its add', async () => {
      box = await startTestSandbox({ store });
      const channel = await box.declare(U_ALICE, 'declare sev2 Crossed wires');
      const said = await box.driver.message({ channelId: channel.id, userId: U_BOB, text: 'checkout errors at 40%' });
      const added = box.sim.nextTs();
      const removed = box.sim.nextTs();
      await box.driver.event(reaction('reaction_removed', channel, said.ts, removed));
      await box.driver.event(reaction('reaction_added', channel, said.ts, added));
      expect((await storedText(said.ts))?.categories).toEqual([]);
    });

    it('marks again when the person adds it back later, whatever the delivery order', async () => {
      box = await startTestSandbox({ store });
      const channel = await box.declare(U_ALICE, 'declare sev2 Changed mind');
      const said = await box.driver.message({ channelId: channel.id, userId: U_BOB, text: 'checkout errors at 40%' });
      const [first, second, third] = [box.sim.nextTs(), box.sim.nextTs(), box.sim.nextTs()];
      await box.driver.event(reaction('reaction_added', channel, said.ts, third));
      await box.driver.event(reaction('reaction_removed', channel, said.ts, second));
      await box.driver.event(reaction('reaction_added', channel, said.ts, first));
      expect((await storedText(said.ts))?.categories).toEqual(['impact']);
    });
  });
});
