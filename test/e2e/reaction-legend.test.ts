// The reaction legend follows INCIDENT_REACTIONS everywhere sitrep names it: the
// pinned summary, `/incident help` and the draft's prompts.

import { afterEach, describe, expect, it } from 'vitest';
import { U_ALICE } from '../../harness/simulator/constants.js';
import { section } from '../support/markdown.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';

let box: TestSandbox;

afterEach(async () => {
  expect(box.errors()).toEqual([]);
  await box.close();
});

describe('with bulb remapped to investigation and zap marking the cause', () => {
  it('names the configured emoji in the summary, the help and the draft', async () => {
    box = await startTestSandbox({ env: { INCIDENT_REACTIONS: 'bulb=investigation, zap=cause' } });
    const channel = await box.declare(U_ALICE, 'declare sev2 Remapped');

    const summary = JSON.stringify(channel.messages[0]?.blocks);
    expect(summary).toContain(':mag: :bulb: investigation');
    expect(summary).toContain(':zap: cause');
    expect(summary).not.toContain(':bulb: cause');

    const help = await box.driver.command({ userId: U_ALICE, channelId: channel.id, text: 'help' });
    const helpText = (help.body as { text?: string }).text ?? '';
    expect(helpText).toContain(':zap: cause');
    expect(helpText).not.toContain(':bulb: cause');

    const draft = (await box.draft(1));
    expect(section(draft, 'Root cause')).toContain('with :zap:');
    expect(draft).not.toContain('with :bulb:');
  });
});
