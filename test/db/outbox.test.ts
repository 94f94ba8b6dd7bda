import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { insertIncident } from '../../src/db/incidents.js';
import { enqueue, markAttempt, markSent, pendingJobs } from '../../src/db/outbox.js';

let database: Database;
let incident: number;

beforeEach(() => {
  database = openDatabase(':memory:');
  incident = insertIncident(database.db, {
    title: 'x',
    severity: 'sev3',
    summary: null,
    impact: null,
    isPrivate: false,
    declaredBy: 'U1',
    declaredFrom: null,
    declareKey: null,
    timeZone: 'UTC',
    declaredAt: 0,
  }).incident.number;
});

afterEach(() => database.close());

const kinds = () => pendingJobs(database.db, 100).map((entry) => entry.job.kind);

describe('the outbox queue', () => {
  it('keeps jobs in the order they were queued', () => {
    enqueue(database.db, incident, { kind: 'post', channel: 'incident', text: 'a' }, 1);
    enqueue(database.db, incident, { kind: 'summary' }, 2);
    enqueue(database.db, incident, { kind: 'postmortem', replace: false }, 3);
    expect(kinds()).toEqual(['post', 'summary', 'postmortem']);
    expect(pendingJobs(database.db, 100)[0]?.job).toEqual({ kind: 'post', channel: 'incident', text: 'a' });
  });

  it('queues one summary refresh while none has started, and another once one has', () => {
    enqueue(database.db, incident, { kind: 'summary' }, 1);
    enqueue(database.db, incident, { kind: 'summary' }, 2);
    expect(kinds()).toEqual(['summary']);
    // Started: it may already have read the incident, so a later change needs its own refresh.
    markAttempt(database.db, pendingJobs(database.db, 1)[0]!.id);
    enqueue(database.db, incident, { kind: 'summary' }, 3);
    expect(kinds()).toEqual(['summary', 'summary']);
  });

  it('drops sent jobs from the pending list', () => {
    enqueue(database.db, incident, { kind: 'post', channel: 'C1', text: 'a' }, 1);
    markSent(database.db, pendingJobs(database.db, 1)[0]!.id, 5);
    expect(kinds()).toEqual([]);
  });
});
