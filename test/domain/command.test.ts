import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { helpText, needsIncidentChannel, parseCommand, worksOnResolvedIncident, type Command } from '../../src/domain/command.js';

describe('parseCommand accepts', () => {
  it.each<[string, Command]>([
    ['', { kind: 'help' }],
    ['   ', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['HELP', { kind: 'help' }],
    ['declare', { kind: 'declare-modal' }],
    ['declare Payments failing', { kind: 'declare', severity: 'sev3', title: 'Payments failing' }],
    ['declare sev2 Payments failing', { kind: 'declare', severity: 'sev2', title: 'Payments failing' }],
    ['declare SEV1   Login  down', { kind: 'declare', severity: 'sev1', title: 'Login  down' }],
    ['  declare sev4 x ', { kind: 'declare', severity: 'sev4', title: 'x' }],
    ['declare severe weather', { kind: 'declare', severity: 'sev3', title: 'severe weather' }],
    ['status identified', { kind: 'status', status: 'identified', message: null }],
    ['status Monitoring fix deployed', { kind: 'status', status: 'monitoring', message: 'fix deployed' }],
    ['status resolved all good\nsecond line', { kind: 'status', status: 'resolved', message: 'all good\nsecond line' }],
    ['update still digging', { kind: 'update', message: 'still digging' }],
    ['severity sev1', { kind: 'severity', severity: 'sev1' }],
    ['severity SEV2', { kind: 'severity', severity: 'sev2' }],
    ['lead <@U123>', { kind: 'role', role: 'lead', userId: 'U123' }],
    ['lead <@U123|alice>', { kind: 'role', role: 'lead', userId: 'U123' }],
    ['role comms <@W9>', { kind: 'role', role: 'comms', userId: 'W9' }],
    ['role Scribe <@U1|bob>', { kind: 'role', role: 'scribe', userId: 'U1' }],
    ['note db failover started', { kind: 'note', time: null, text: 'db failover started' }],
    ['note 14:05 paged', { kind: 'note', time: { date: null, hour: 14, minute: 5 }, text: 'paged' }],
    ['note 9:05 paged', { kind: 'note', time: { date: null, hour: 9, minute: 5 }, text: 'paged' }],
    [
      'note 2024-04-09 06:45 upgrade stuck',
      { kind: 'note', time: { date: { year: 2024, month: 4, day: 9 }, hour: 6, minute: 45 }, text: 'upgrade stuck' },
    ],
    ['note 2024 was a year', { kind: 'note', time: null, text: '2024 was a year' }],
    [
      'timestamp impact-started 16:04',
      { kind: 'timestamp', milestone: 'impact-started', time: { date: null, hour: 16, minute: 4 } },
    ],
    [
      'timestamp mitigated 2024-02-29 23:59',
      { kind: 'timestamp', milestone: 'mitigated', time: { date: { year: 2024, month: 2, day: 29 }, hour: 23, minute: 59 } },
    ],
    [
      'timestamp recovered 2024-04-09 07:30',
      { kind: 'timestamp', milestone: 'recovered', time: { date: { year: 2024, month: 4, day: 9 }, hour: 7, minute: 30 } },
    ],
    ['timestamp Recovered 07:30', { kind: 'timestamp', milestone: 'recovered', time: { date: null, hour: 7, minute: 30 } }],
    ['action add a rollback runbook', { kind: 'action', text: 'add a rollback runbook', ownerId: null, type: null, ticketUrl: null }],
    ['action add a rollback runbook <@U7>', { kind: 'action', text: 'add a rollback runbook', ownerId: 'U7', type: null, ticketUrl: null }],
    ['action ask <@U7> about it', { kind: 'action', text: 'ask <@U7> about it', ownerId: null, type: null, ticketUrl: null }],
    ['action prevent add a canary', { kind: 'action', text: 'add a canary', ownerId: null, type: 'prevent', ticketUrl: null }],
    ['action DETECT alert on 5xx', { kind: 'action', text: 'alert on 5xx', ownerId: null, type: 'detect', ticketUrl: null }],
    ['action process review paging <@U7|dan>', { kind: 'action', text: 'review paging', ownerId: 'U7', type: 'process', ticketUrl: null }],
    [
      'action mitigate faster rollback <https://x.atlassian.net/browse/OPS-1>',
      { kind: 'action', text: 'faster rollback', ownerId: null, type: 'mitigate', ticketUrl: 'https://x.atlassian.net/browse/OPS-1' },
    ],
    [
      'action faster rollback <https://x.atlassian.net/browse/OPS-1|OPS-1>',
      { kind: 'action', text: 'faster rollback', ownerId: null, type: null, ticketUrl: 'https://x.atlassian.net/browse/OPS-1' },
    ],
    [
      'action faster rollback https://x.atlassian.net/browse/OPS-1',
      { kind: 'action', text: 'faster rollback', ownerId: null, type: null, ticketUrl: 'https://x.atlassian.net/browse/OPS-1' },
    ],
    [
      'action prevent add a canary <@U7> <https://x.atlassian.net/browse/OPS-1>',
      { kind: 'action', text: 'add a canary', ownerId: 'U7', type: 'prevent', ticketUrl: 'https://x.atlassian.net/browse/OPS-1' },
    ],
    [
      'action prevent add a canary <https://x.atlassian.net/browse/OPS-1> <@U7>',
      { kind: 'action', text: 'add a canary', ownerId: 'U7', type: 'prevent', ticketUrl: 'https://x.atlassian.net/browse/OPS-1' },
    ],
    ['action preventive maintenance', { kind: 'action', text: 'preventive maintenance', ownerId: null, type: null, ticketUrl: null }],
    ['action processes need owners', { kind: 'action', text: 'processes need owners', ownerId: null, type: null, ticketUrl: null }],
    [
      'action read <https://x.example/doc> before deploys',
      { kind: 'action', text: 'read <https://x.example/doc> before deploys', ownerId: null, type: null, ticketUrl: null },
    ],
    [
      'action see <mailto:ops@x.example>',
      { kind: 'action', text: 'see <mailto:ops@x.example>', ownerId: null, type: null, ticketUrl: null },
    ],
    ['summary Checkout failed for EU cards', { kind: 'summary', text: 'Checkout failed for EU cards' }],
    ['Summary two\nlines', { kind: 'summary', text: 'two\nlines' }],
    ['impact 40% of EU checkouts &amp; refunds', { kind: 'impact', text: '40% of EU checkouts &amp; refunds' }],
    ['actions', { kind: 'actions' }],
    ['timezone Europe/London', { kind: 'timezone', zone: 'Europe/London' }],
    ['resolve', { kind: 'resolve', summary: null }],
    ['resolve rolled back the deploy', { kind: 'resolve', summary: 'rolled back the deploy' }],
    ['postmortem', { kind: 'postmortem' }],
    ['list', { kind: 'list' }],
    ['List', { kind: 'list' }],
  ])('%j', (text, command) => {
    expect(parseCommand(text)).toEqual({ ok: true, command });
  });
});

describe('parseCommand refuses, naming the right form', () => {
  it.each<[string, RegExp, RegExp]>([
    ['explode', /`explode` is not an incident command/, /declare/],
    ['declare sev9 Boom', /`sev9` is not a severity/, /sev1\.\.sev4/],
    ['declare sev2', /title is needed/, /declare/],
    ['status', /Which status/, /investigating\|identified/],
    ['status fixed', /`fixed` is not a status/, /status/],
    ['update', /What is the update/, /update <message>/],
    ['severity high', /`high` is not a severity/, /sev1\.\.sev4/],
    ['severity sev9', /`sev9` is not a severity/, /sev1\.\.sev4/],
    ['severity sev1 now', /is not a severity/, /severity/],
    ['lead', /@-mention/, /lead @user/],
    ['lead bob', /@-mention/, /lead @user/],
    ['lead <@U1> <@U2>', /@-mention/, /lead @user/],
    ['role boss <@U1>', /`boss` is not a role/, /lead\|comms\|scribe/],
    ['role', /Which role/, /role/],
    ['note', /What should the note say/, /note/],
    ['note 14:05', /after the time/, /note/],
    ['note 25:00 late', /not a time I can read/, /14:05/],
    ['note 2024-02-30 10:00 x', /not a date on the calendar/, /note/],
    ['note 2024-04-09 x', /needs a time after it/, /note/],
    ['timestamp', /Which milestone/, /impact-started/],
    ['timestamp started 10:00', /`started` is not a milestone/, /impact-started/],
    ['timestamp detected', /When\?/, /14:05/],
    ['timestamp detected soon', /When\?/, /timestamp/],
    ['timestamp detected 10:00 ish', /Only a time/, /timestamp/],
    ['action', /What is the follow-up action/, /action \[prevent\|detect\|mitigate\|process\] <text>/],
    ['action <@U1>', /What is the follow-up action/, /action \[prevent\|detect\|mitigate\|process\] <text>/],
    ['action prevent', /What is the follow-up action/, /action/],
    ['action detect <https://x.atlassian.net/browse/OPS-1> <@U1>', /What is the follow-up action/, /<ticket URL>/],
    ['summary', /What should the summary say/, /summary <text>/],
    ['summary   ', /What should the summary say/, /summary <text>/],
    ['impact', /Who and what was affected/, /impact <text>/],
    ['timestamp recovered', /When\?/, /recovered/],
    ['timezone', /one IANA zone/, /Europe\/London/],
    ['timezone Europe/London now', /one IANA zone/, /timezone/],
    ['list open', /takes nothing after it/, /list/],
    ['postmortem now', /takes nothing after it/, /postmortem/],
  ])('%j', (text, error, usage) => {
    const result = parseCommand(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(error);
    expect(result.usage).toMatch(usage);
  });
});

describe('helpText', () => {
  it('names the summary, impact and typed action commands, the recovered milestone and the :bell: reaction', () => {
    const help = helpText();
    expect(help).toContain('`/incident summary <text>`');
    expect(help).toContain('`/incident impact <text>`');
    expect(help).toContain('`/incident action [prevent|detect|mitigate|process] <text> [@owner] [<ticket URL>]`');
    expect(help).toMatch(/timestamp <impact-started\|detected\|identified\|mitigated\|recovered>/);
    expect(help).toMatch(/:bell: detection/);
  });
});

describe('needsIncidentChannel', () => {
  it.each([
    ['declare sev1 x', false],
    ['declare', false],
    ['list', false],
    ['help', false],
    ['resolve', true],
    ['postmortem', true],
    ['status identified', true],
    ['note hello', true],
    ['actions', true],
    ['summary it broke', true],
    ['impact everyone', true],
  ])('%s → %s', (text, expected) => {
    const result = parseCommand(text);
    if (!result.ok) throw new Error(result.error);
    expect(needsIncidentChannel(result.command)).toBe(expected);
  });
});

describe('worksOnResolvedIncident', () => {
  it.each([
    ['status investigating', true],
    ['resolve', true],
    ['note late detail', true],
    ['timestamp detected 10:00', true],
    ['action write it up', true],
    ['summary it broke', true],
    ['impact everyone', true],
    ['timestamp recovered 10:00', true],
    ['actions', true],
    ['timezone UTC', true],
    ['postmortem', true],
    ['update still bad', false],
    ['severity sev1', false],
    ['lead <@U1>', false],
    ['role comms <@U1>', false],
  ])('%s → %s', (text, expected) => {
    const result = parseCommand(text);
    if (!result.ok) throw new Error(result.error);
    expect(worksOnResolvedIncident(result.command)).toBe(expected);
  });
});

describe('parseCommand properties', () => {
  const hostile = fc.string({ unit: fc.constantFrom(...'<>@|!#*_~`&;: \n\t\u0000\u202esev1declare:-0123456789'.split('')) });

  it('never throws, and always answers with a command or a usage', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), hostile), (text) => {
        const result = parseCommand(text);
        if (result.ok) expect(result.command.kind).toBeTypeOf('string');
        else {
          expect(result.error.length).toBeGreaterThan(0);
          expect(result.usage.length).toBeGreaterThan(0);
        }
      }),
    );
  });

  it('keeps a declared title exactly as typed after the severity', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('sev1', 'sev2', 'sev3', 'sev4'),
        fc.string({ unit: 'grapheme', minLength: 1 }).filter((title) => title.trim() === title && title.length > 0),
        (severity, title) => {
          expect(parseCommand(`declare ${severity} ${title}`)).toEqual({
            ok: true,
            command: { kind: 'declare', severity, title },
          });
        },
      ),
    );
  });

  it('reads every valid clock time in a note', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), (hour, minute) => {
        const clock = `${hour}:${String(minute).padStart(2, '0')}`;
        expect(parseCommand(`note ${clock} ok`)).toEqual({
          ok: true,
          command: { kind: 'note', time: { date: null, hour, minute }, text: 'ok' },
        });
      }),
    );
  });
});
