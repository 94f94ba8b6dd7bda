// Where PostgreSQL differs from SQLite and sitrep must make up for it. (That the
// two stores keep the same record, byte for byte in drafts and exports, is checked
// on the three reference incidents in fixtures.test.ts; the core loop and the
// command set run on both in core-loop.test.ts and lifecycle.test.ts.)

import { describe, expect, it } from 'vitest';
import { U_ALICE, U_BOB } from '../../harness/simulator/constants.js';
import { startTestSandbox } from '../support/sandbox.js';

describe('text PostgreSQL cannot hold', () => {
  it('stores a message with a NUL character (as U+FFFD) instead of failing it on every redelivery', async () => {
    const box = await startTestSandbox({ store: 'postgres' });
    try {
      const channel = await box.declare(U_ALICE, 'declare sev3 Odd bytes');
      const said = await box.driver.message({ channelId: channel.id, userId: U_BOB, text: 'before\u0000after' });
      expect(said.status).toBe(200);
      expect((await box.store.queries.listRecordedMessages(1)).map((message) => message.text)).toEqual(['before\ufffdafter']);
      expect(box.errors()).toEqual([]);
    } finally {
      await box.close();
    }
  });
});
