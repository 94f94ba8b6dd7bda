// What people type, shown again by sitrep: links that claim another address say
// where they go, in reposts and in the draft; long titles are cut at a character
// boundary, never in half an emoji; the declare reply pings no one.

import { afterEach, describe, expect, it } from 'vitest';
import { U_ALICE, U_BOB } from '../../harness/simulator/constants.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';

let box: TestSandbox;

afterEach(async () => {
  expect(box.errors()).toEqual([]);
  await box.close();
});

/** Half an emoji: what a cut by UTF-16 units leaves behind. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const SPOOF = '<https://evil.example/phish|https://bank.example/login>';

describe('a link whose label names another address', () => {
  it('says where it goes in the announcement and in the draft', async () => {
    box = await startTestSandbox({ prepare: (sim) => ({ INCIDENT_ANNOUNCE_CHANNEL: sim.addChannel({ name: 'incidents', members: ['U_SITREP'] }).id }) });
    const channel = await box.declare(U_ALICE, 'declare sev2 Phishing');
    await box.driver.command({ userId: U_ALICE, channelId: channel.id, text: `status identified customers should log in at ${SPOOF}` });
    const said = await box.driver.message({ channelId: channel.id, userId: U_BOB, text: `they were sent to ${SPOOF}` });
    await box.driver.react({ channelId: channel.id, ts: said.ts, userId: U_BOB, name: 'pushpin' });
    await box.sitrep.ctx.tasks.idle();

    const announced = await box.sim.waitFor(() => box.sim.channelByName('incidents')?.messages.find((m) => m.text.includes('log in at')), {
      what: 'the status announcement',
    });
    const reposted = JSON.stringify([announced.text, announced.blocks]);
    expect(reposted).toContain('bank.example/login (links to evil.example)');
    expect(reposted).not.toContain('|https://bank.example/login>');

    const draft = (await box.draft(1));
    expect(draft).toContain('[bank.example/login (links to evil.example)](https://evil.example/phish)');
    expect(draft).not.toContain('[https://bank.example/login]');
  });
});

describe('a long title', () => {
  it('is cut in the summary header and the Home tab at a character boundary, never in half an emoji', async () => {
    box = await startTestSandbox();
    // An odd number of units before the emoji, so a cut by units lands inside one.
    const channel = await box.declare(U_ALICE, `declare sev1 A${'🚨'.repeat(100)}`);
    const header = (channel.messages[0]?.blocks as Array<{ type: string; text?: { text: string } }>).find((block) => block.type === 'header')?.text?.text ?? '';
    expect(header.length).toBeLessThanOrEqual(150);
    expect(header.endsWith('🚨…')).toBe(true);
    expect(header).not.toMatch(LONE_SURROGATE);

    await box.driver.openHome({ userId: U_ALICE });
    const home = await box.sim.waitFor(() => box.sim.homeTab(U_ALICE), { what: 'the Home tab' });
    // JSON.stringify writes a lone surrogate as an escape.
    expect(JSON.stringify(home.view.blocks)).not.toMatch(/\\ud83d/i);
  });
});

describe('the reply to declare', () => {
  it('echoes the title without pinging anyone', async () => {
    box = await startTestSandbox();
    const response = await box.driver.command({ userId: U_ALICE, channelId: box.sim.channelByName('general')!.id, text: 'declare sev2 Outage <!channel> <!here>' });
    const text = (response.body as { text?: string }).text ?? '';
    expect(text).toContain('Declaring INC-1');
    expect(text).not.toMatch(/<!channel>|<!here>/);
  });
});
