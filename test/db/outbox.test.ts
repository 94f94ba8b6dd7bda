import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { insertIncident } from '../../src/db/incidents.js';
import {
  amendUnstarted,
  DRAFT_REPLACEMENT_INTERVAL_MS as MINUTE,
  enqueue,
  laneHeads,
  markAttempt,
  markSent,
  nextInLane,
  nextNotBefore,
  pendingJobs,
  startedNotDone,
} from '../../src/db/outbox.js';

let database: Database;
let incident: number;

function declare(): number {
  return insertIncident(database.db, {
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
}

beforeEach(() => {
  database = openDatabase(':memory:');
  incident = declare();
});

/** Starts and finishes the lane's next job at `at`. */
function send(lane: number, at: number): void {
  const next = nextInLane(database.db, lane, at);
  if (!next) throw new Error(`nothing due in lane ${lane}`);
  markAttempt(database.db, next.id);
  markSent(database.db, next.id, at, 'this-process');
}

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
    markSent(database.db, pendingJobs(database.db, 1)[0]!.id, 5, 'this-process');
    expect(kinds()).toEqual([]);
  });
});

describe('lanes', () => {
  it("gives each incident's first pending job, so incidents go independently", () => {
    const other = declare();
    enqueue(database.db, incident, { kind: 'post', channel: 'incident', text: 'a1' }, 1);
    enqueue(database.db, other, { kind: 'post', channel: 'incident', text: 'b1' }, 2);
    enqueue(database.db, incident, { kind: 'post', channel: 'incident', text: 'a2' }, 3);
    const texts = () => laneHeads(database.db, 10).map((entry) => (entry.job.kind === 'post' ? entry.job.text : entry.job.kind));
    expect(texts()).toEqual(['a1', 'b1']);
    send(incident, 10);
    expect(texts()).toEqual(['b1', 'a2']);
  });
});

describe('draft replacements', () => {
  const replace = (at: number) => enqueue(database.db, incident, { kind: 'postmortem', replace: true }, at);
  const replacements = () => pendingJobs(database.db, 100).filter((entry) => entry.job.kind === 'postmortem');

  it('queues the first at once, and folds later ones into it until it starts', () => {
    replace(1);
    replace(2);
    replace(3);
    expect(replacements()).toHaveLength(1);
    expect(nextInLane(database.db, incident, 3)?.job).toEqual({ kind: 'postmortem', replace: true });
  });

  it('waits a minute after the last one finished, and lets the lane go by meanwhile', () => {
    replace(0);
    send(incident, 1000);
    replace(5000);
    replace(6000);
    enqueue(database.db, incident, { kind: 'post', channel: 'incident', text: 'after' }, 7000);
    expect(replacements()).toHaveLength(1);
    expect(nextNotBefore(database.db, 7000)).toBe(1000 + MINUTE);
    expect(nextInLane(database.db, incident, 7000)?.job.kind).toBe('post');
    expect(nextInLane(database.db, incident, 1000 + MINUTE)?.job.kind).toBe('postmortem');
  });

  it('waits a minute from now while the last one is still going', () => {
    replace(0);
    markAttempt(database.db, pendingJobs(database.db, 1)[0]!.id);
    expect(startedNotDone(database.db, incident, 'postmortem')).toBe(true);
    replace(5000);
    expect(replacements()).toHaveLength(2);
    expect(nextNotBefore(database.db, 5000)).toBe(5000 + MINUTE);
  });

  it('does not wait once a minute has passed since the last one', () => {
    replace(0);
    send(incident, 1000);
    replace(1000 + MINUTE);
    expect(nextNotBefore(database.db, 1000 + MINUTE)).toBeNull();
    expect(laneHeads(database.db, 1000 + MINUTE).map((entry) => entry.job.kind)).toEqual(['postmortem']);
  });

  it('is not folded into a first draft, which does not replace anything', () => {
    enqueue(database.db, incident, { kind: 'postmortem', replace: false }, 1);
    replace(2);
    expect(replacements().map((entry) => entry.job)).toEqual([
      { kind: 'postmortem', replace: false },
      { kind: 'postmortem', replace: true },
    ]);
  });
});

describe('amending a queued job', () => {
  it('changes only a job that has not started', () => {
    enqueue(database.db, incident, { kind: 'tell-declarer', respondUrl: 'http://r', refused: null, failure: null }, 1);
    amendUnstarted(database.db, incident, 'tell-declarer', { refused: 'cant_invite' });
    expect(pendingJobs(database.db, 1)[0]?.job).toEqual({ kind: 'tell-declarer', respondUrl: 'http://r', refused: 'cant_invite', failure: null });
    markAttempt(database.db, pendingJobs(database.db, 1)[0]!.id);
    amendUnstarted(database.db, incident, 'tell-declarer', { refused: null });
    expect(pendingJobs(database.db, 1)[0]?.job).toMatchObject({ refused: 'cant_invite' });
  });
});
