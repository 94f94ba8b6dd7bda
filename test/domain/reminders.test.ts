import { describe, expect, it } from 'vitest';
import { LEAD_REMINDER_MINUTES, dueNudges, type ReminderState } from '../../src/domain/reminders.js';

const MIN = 60_000;
const T0 = Date.parse('2026-04-14T14:00:00Z');
const policy = { updateMinutes: 30, leadMinutes: LEAD_REMINDER_MINUTES };

/** Declared at T0 with a channel and no lead; nothing posted or nudged since. */
function state(overrides: Partial<ReminderState> = {}): ReminderState {
  return {
    status: 'investigating',
    hasChannel: true,
    hasLead: false,
    declaredAt: T0,
    lastUpdateAt: T0,
    remindedAt: null,
    leadRemindedAt: null,
    ...overrides,
  };
}

const at = (minutes: number) => T0 + minutes * MIN;

describe('dueNudges', () => {
  it.each<[string, Partial<ReminderState>, number, string[]]>([
    ['nothing right after declaring', {}, 0, []],
    ['nothing a minute before the lead nudge', {}, 9, []],
    ['the lead nudge at ten minutes', {}, 10, ['lead']],
    ['no lead nudge when someone leads', { hasLead: true }, 10, []],
    ['the lead nudge only once', { leadRemindedAt: at(10) }, 25, []],
    ['no update nudge a minute early', { leadRemindedAt: at(10) }, 29, []],
    ['the update nudge at thirty minutes', { leadRemindedAt: at(10) }, 30, ['update']],
    ['both, when both fell due while nobody was checking', {}, 45, ['lead', 'update']],
    ['no repeat before another thirty minutes', { hasLead: true, remindedAt: at(30) }, 59, []],
    ['a repeat thirty minutes after the last nudge', { hasLead: true, remindedAt: at(30) }, 60, ['update']],
    ['a later update restarts the wait', { hasLead: true, lastUpdateAt: at(20) }, 49, []],
    ['…which runs out thirty minutes after that update', { hasLead: true, lastUpdateAt: at(20) }, 50, ['update']],
    ['an update after a nudge restarts the wait', { hasLead: true, remindedAt: at(30), lastUpdateAt: at(40) }, 69, []],
    ['one nudge, not a backlog, after a long silence', { hasLead: true, remindedAt: at(30) }, 300, ['update']],
    ['nothing for a resolved incident', { status: 'resolved' }, 300, []],
    ['nothing before the channel exists', { hasChannel: false }, 300, []],
    ['nothing when the clock reads earlier than the last update', { hasLead: true, lastUpdateAt: at(5) }, 0, []],
  ])('%s', (_name, overrides, minutes, expected) => {
    expect(dueNudges(state(overrides), at(minutes), policy).map((nudge) => nudge.kind)).toEqual(expected);
  });

  it('follows the configured interval', () => {
    const due = (minutes: number) => dueNudges(state({ hasLead: true }), at(minutes), { ...policy, updateMinutes: 5 });
    expect(due(4)).toEqual([]);
    expect(due(5)).toEqual([{ kind: 'update', silentForMs: 5 * MIN }]);
  });

  it('says how long it has been since the last update, not since the last nudge', () => {
    const [nudge] = dueNudges(state({ hasLead: true, lastUpdateAt: at(0), remindedAt: at(30) }), at(60), policy);
    expect(nudge).toEqual({ kind: 'update', silentForMs: 60 * MIN });
  });
});
