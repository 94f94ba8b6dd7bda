import { describe, expect, it } from 'vitest';
import { postmortemOptions, userIdsOf } from '../../src/services/postmortem.js';
import type { Incident } from '../../src/domain/incident.js';

const incident: Incident = {
  number: 1,
  title: 'Gateway down',
  severity: 'sev2',
  status: 'resolved',
  summary: null,
  impact: null,
  resolutionSummary: null,
  isPrivate: false,
  channelId: 'C1',
  channelName: 'inc-1-gateway-down',
  declaredBy: 'U_DECLARER',
  roles: { lead: 'U_LEAD' },
  timeZone: 'UTC',
  declaredAt: 0,
  resolvedAt: 1,
  milestones: {},
};

describe('userIdsOf', () => {
  it('names everyone the draft may show: who added a follow-up, and who is mentioned in notes, summaries, impact and updates', () => {
    const ids = userIdsOf({
      incident,
      messages: [],
      events: [
        { kind: 'summary', at: 0, actorId: 'U_SUMMARY', text: 'paged <@U_IN_SUMMARY>' },
        { kind: 'impact', at: 0, actorId: 'U_IMPACT', text: 'reported by <@U_IN_IMPACT|eve>' },
        { kind: 'note', at: 0, actorId: 'U_NOTE', text: 'asked <@U_IN_NOTE>' },
        { kind: 'status', at: 0, actorId: 'U_STATUS', status: 'resolved', message: 'thanks <@U_IN_STATUS>' },
      ],
      actions: [{ text: 'canary', ownerId: 'U_OWNER', createdAt: 0, done: false, type: 'prevent', ticketUrl: null, createdBy: 'U_ADDER' }],
    });
    expect(ids.sort()).toEqual(
      [
        'U_ADDER',
        'U_DECLARER',
        'U_IMPACT',
        'U_IN_IMPACT',
        'U_IN_NOTE',
        'U_IN_STATUS',
        'U_IN_SUMMARY',
        'U_LEAD',
        'U_NOTE',
        'U_OWNER',
        'U_STATUS',
        'U_SUMMARY',
      ].sort(),
    );
  });
});

describe('postmortemOptions', () => {
  it('turns the reminder minutes into the interval the draft measures quiet stretches against', () => {
    expect(postmortemOptions({ reminderMinutes: 30 })).toEqual({ reminderIntervalMs: 1_800_000 });
    expect(postmortemOptions({ reminderMinutes: 5, timeZone: 'Europe/London' })).toEqual({ reminderIntervalMs: 300_000, timeZone: 'Europe/London' });
  });
});
