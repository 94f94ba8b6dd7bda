// Render benchmark child. Two modes, each run in its own process by bench/run.ts:
//
//   seed <db> <entries> <mix|all-marked>   builds one incident of that size through the db layer (SQLite)
//   render <db> [warm runs]                loads and renders its draft, prints one JSON line; <db> is a
//                                          SQLite file or a postgres:// URL (a copy made by
//                                          `npm run migrate-store`), opened as `npm run postmortem` opens it
//
// Rendering runs in a fresh process so its peak RSS (VmHWM) is the draft's alone,
// not the seeding's.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { openDatabase, type Db } from '../src/db/connection.js';
import { openStore } from '../src/db/open-store.js';
import { addAction } from '../src/db/actions.js';
import { addNote, changeSeverity, assignRole, findIncident, insertIncident, saveStatus, setIncidentChannel, setMilestone } from '../src/db/incidents.js';
import { applyStatus, type Status } from '../src/domain/incident.js';
import { addReaction, deleteMessage, editMessage, recordMessage } from '../src/db/messages.js';
import { saveName } from '../src/db/users.js';
import { DEFAULT_REACTIONS } from '../src/domain/reactions.js';
import { msToSlackTs } from '../src/domain/time.js';
import { renderPostmortem } from '../src/domain/postmortem.js';
import { loadPostmortemInput } from '../src/services/postmortem.js';

const CHANNEL = 'C_BENCH';
const USERS = Array.from({ length: 24 }, (_, i) => `U_BENCH${String(i).padStart(2, '0')}`);
const MARKS = ['pushpin', 'rotating_light', 'mag', 'bulb', 'hammer_and_wrench', 'white_check_mark', 'memo'];
const STATUSES = ['investigating', 'identified', 'monitoring'] as const;

/** Messages as people write them in an incident channel: mentions, links, code, quotes, entities. */
/** A status update as the service makes it: the domain's patch, then stored. */
function changeStatus(db: Db, number: number, change: { status: Status; message: string | null; actorId: string; at: number }): void {
  const current = findIncident(db, number);
  if (!current) throw new Error(`no incident ${number}`);
  saveStatus(db, number, applyStatus(current, change), change);
}

function messageText(i: number): string {
  const who = `<@${USERS[(i * 7) % USERS.length]}>`;
  switch (i % 10) {
    case 0:
      return `${who} can you check the *payments-api* error rate? It jumped to 12% at the edge`;
    case 1:
      return `Dashboard: <https://grafana.example.com/d/abc123?from=now-1h&amp;to=now|p99 latency> shows the spike starting ${i % 60} min ago`;
    case 2:
      return '```\nERROR 2024-04-09T06:45:12Z conn refused: db-primary-3:5432\nretrying (attempt 4/5)\n```';
    case 3:
      return `&gt; rollback of deploy #${i} started\nthanks ${who}, watching _closely_`;
    case 4:
      return `Rolled back \`config-service\` to v${i % 97}.${i % 13}; error budget &amp; SLO looking ok in <#C_OPS|ops>`;
    case 5:
      return `Customers in EU report 502s :scream: (ticket <https://support.example.com/t/${i}>)`;
    case 6:
      return `Hypothesis ${i}: connection pool exhausted after the ~schema~ migration, *not* the deploy`;
    case 7:
      return `- step 1: drain node ${i % 31}\n- step 2: restart\n- step 3: verify health checks`;
    case 8:
      return `${who} ${who} paging the DB on-call, ETA 5 min`;
    default:
      return `ack`;
  }
}

function seed(path: string, entries: number, allMarked: boolean): void {
  const database = openDatabase(path);
  const { db, sqlite } = database;
  const start = Date.UTC(2024, 3, 9, 4, 0, 0);
  // One entry every 9 s: 100,000 entries span ten days, so the timeline is day-headed.
  const step = 9_000;
  sqlite.transaction(() => {
    const { incident } = insertIncident(db, {
      title: 'Payments API returning 502s in EU',
      severity: 'sev1',
      summary: 'Card payments failed for *some* EU customers; see <https://status.example.com|status page>.',
      impact: 'About 8% of EU checkout attempts failed.',
      isPrivate: false,
      declaredBy: USERS[0] ?? 'U0',
      declaredFrom: null,
      declareKey: null,
      timeZone: 'America/New_York',
      declaredAt: start,
    });
    const number = incident.number;
    setIncidentChannel(db, number, CHANNEL, 'inc-1-payments-api-returning-502s-in-eu');
    for (const [i, id] of USERS.entries()) saveName(db, id, `Person ${i} Example`, start);
    setMilestone(db, number, { milestone: 'impact-started', at: start - 600_000, actorId: USERS[1] ?? 'U1' });
    assignRole(db, number, { role: 'lead', userId: USERS[2] ?? 'U2', actorId: USERS[0] ?? 'U0', at: start + 1000 });

    // Every 50th entry is an incident event; the rest are messages (1 in 10 marked in the mix).
    for (let i = 1; i < entries; i++) {
      const at = start + i * step;
      const actorId = USERS[i % USERS.length] ?? 'U0';
      if (i % 50 === 0) {
        const kind = (i / 50) % 5;
        if (kind === 0) addNote(db, number, { text: `Note ${i}: *customer* impact &lt;confirmed&gt;`, at, actorId });
        else if (kind === 1) changeSeverity(db, number, { to: i % 100 === 0 ? 'sev2' : 'sev1', actorId, at });
        else changeStatus(db, number, { status: STATUSES[i % 3] ?? 'investigating', message: `Update ${i}: still working on it`, actorId, at });
        continue;
      }
      const ts = msToSlackTs(at);
      const threaded = i % 17 === 0;
      const isBot = i % 23 === 0;
      recordMessage(db, {
        incidentId: number,
        channelId: CHANNEL,
        ts,
        threadTs: threaded ? msToSlackTs(start + (i - 1) * step) : null,
        userId: isBot ? null : actorId,
        botId: isBot ? 'B_ALERTS' : null,
        subtype: isBot ? 'bot_message' : i % 211 === 0 ? 'channel_join' : null,
        text: isBot ? `[FIRING:1] HighErrorRate payments-api (${i})` : messageText(i),
        authorName: isBot ? 'PagerDuty' : null,
        files: i % 97 === 0 ? [{ name: `trace-${i}.txt`, url: `https://files.example.com/${i}` }] : null,
        postedAt: at,
      });
      if (allMarked || i % 10 === 3) {
        addReaction(db, { channelId: CHANNEL, messageTs: ts, userId: actorId, name: MARKS[i % MARKS.length] ?? 'pushpin', at: at + 5000, order: (at + 5000) * 1000 });
      }
      if (i % 37 === 0) addReaction(db, { channelId: CHANNEL, messageTs: ts, userId: USERS[3] ?? 'U3', name: 'eyes', at: at + 7000, order: (at + 7000) * 1000 });
      if (i % 41 === 0) editMessage(db, { incidentId: number, channelId: CHANNEL, ts, threadTs: null, userId: actorId, botId: null, subtype: null, text: `${messageText(i)} (edited)`, postedAt: at, editedAt: at + 60_000 });
      if (i % 331 === 0) deleteMessage(db, { incidentId: number, channelId: CHANNEL, ts, deletedAt: at + 90_000 });
    }
    for (let a = 0; a < Math.max(3, Math.floor(entries / 1000)); a++) {
      addAction(db, { incidentId: number, text: `Alert on pool saturation (${a})`, ownerId: a % 2 ? (USERS[a % USERS.length] ?? null) : null, type: null, ticketUrl: null, createdBy: USERS[0] ?? 'U0', createdAt: start + a * 1000 });
    }
    changeStatus(db, number, { status: 'resolved', message: 'Raised the pool size and rolled back.', actorId: USERS[2] ?? 'U2', at: start + entries * step });
  })();
  database.close();
}

function peakRssMb(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)\s*kB/.exec(status)?.[1] ?? Number.NaN);
  return Number.isFinite(kb) ? kb / 1024 : process.resourceUsage().maxRSS / 1024;
}

/**
 * Loads and renders the draft once, as `npm run postmortem` does in a fresh process
 * (the figures that count), then, with `warmRuns` > 0, again that many times in the
 * same process, as a long-running bot would: `warmMs` is the last of those.
 */
async function render(path: string, warmRuns: number): Promise<void> {
  const open0 = performance.now();
  const store = await openStore(/^postgres(ql)?:\/\//.test(path) ? { databasePath: '', databaseUrl: path } : { databasePath: path, databaseUrl: null });
  const openMs = performance.now() - open0;
  const baselineMb = peakRssMb();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const input = await loadPostmortemInput(store.queries, 1, DEFAULT_REACTIONS);
  if (!input) throw new Error('no incident 1');
  const t1 = performance.now();
  const markdown = renderPostmortem(input);
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const peakMb = peakRssMb();
  let warmMs: number | null = null;
  for (let run = 0; run < warmRuns; run++) {
    const start = performance.now();
    const again = await loadPostmortemInput(store.queries, 1, DEFAULT_REACTIONS);
    if (!again || renderPostmortem(again) !== markdown) throw new Error('a second render differs from the first');
    warmMs = performance.now() - start;
  }
  await store.close();
  const timelineEntries = markdown.split('\n## Timeline')[1]?.split('\n## Detection')[0]?.match(/^- \*\*/gm)?.length ?? 0;
  process.stdout.write(
    `${JSON.stringify({
      messages: input.messages.length,
      events: input.events.length,
      timelineEntries,
      openMs,
      loadMs: t1 - t0,
      renderMs: t2 - t1,
      totalMs: t2 - t0,
      cpuMs: (cpu.user + cpu.system) / 1000,
      warmMs,
      bytes: Buffer.byteLength(markdown),
      // To tell whether two stores gave the same draft.
      sha256: createHash('sha256').update(markdown).digest('hex'),
      baselineMb,
      peakMb,
    })}\n`,
  );
}

const [mode, path, count, variant] = process.argv.slice(2);
if (mode === 'seed' && path && count) seed(path, Number(count), variant === 'all-marked');
else if (mode === 'render' && path) render(path, Number(count ?? 0));
else {
  process.stderr.write('usage: render.ts seed <db> <entries> <mix|all-marked> | render <db> [warm runs]\n');
  process.exit(2);
}
