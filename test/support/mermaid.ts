// Checking Mermaid diagrams in tests with Mermaid's own code, in plain Node (no browser, no DOM).
//
// parseMermaid(text) runs what a Mermaid renderer runs before it draws:
//   1. `mermaid.parse(text)`: diagram type detection, front matter and directives, the
//      diagram's own (jison) grammar, and its db fed statement by statement;
//   2. for a gantt, the db's `getTasks()`, which the gantt renderer calls first: that is where
//      Mermaid turns each task's start into a date (throwing "Invalid date:…"), resolves
//      `after`/`until` references and durations. `mermaid.parse` alone never does this, so a
//      task such as `Impact :a1, yesterday-ish, 1h` passes `mermaid.parse` but fails here;
//   3. a last check that every gantt task ended up with a real start and end date (an epoch
//      `x` value that overflows Date gives an Invalid Date that Mermaid would draw as NaN).
//
// Mermaid needs one thing from a browser before it draws: DOMPurify, which it calls to
// sanitize titles and accessibility text (`title …`, `accTitle: …`) while parsing. Without a
// window, DOMPurify's default export is a stub without `sanitize` or `addHook`, and
// `mermaid.parse` fails with "DOMPurify.addHook is not a function" on any diagram with a
// title. Sanitizing only rewrites text (it never rejects it), so here it is a pass-through,
// installed on DOMPurify's shared instance only when DOMPurify has no DOM to work with.
// That instance is the one Mermaid imports (package.json pins dompurify to the version
// Mermaid resolves, so npm keeps one copy); `ready()` checks that with a titled diagram.
//
// Cost (2-core machine): `import('mermaid')` takes 0.7-0.85 s in a fresh Node process and the
// first gantt about 0.1 s more (Mermaid loads the gantt chunk lazily); the first parseMermaid
// in a vitest file takes about 0.75 s all told, later ones 2-10 ms. Mermaid is imported on
// the first call, not when this module is, so files that import it without calling pay nothing.

import DOMPurify from 'dompurify';

/** The part of Mermaid's gantt db this helper reads (Mermaid types its dbs loosely). */
interface GanttDb {
  getTasks(): GanttTask[];
  getDateFormat(): string;
  getAxisFormat(): string;
  getTickInterval(): string | undefined;
  getTodayMarker(): string;
  getSections(): string[];
}

/** One task as Mermaid's gantt db hands it to the renderer. */
export interface GanttTask {
  id: string;
  /** The text before the colon. */
  task: string;
  section: string;
  startTime: Date;
  endTime: Date;
  done?: boolean;
  active?: boolean;
  crit?: boolean;
  milestone?: boolean;
  /** The task's data as written, after the colon: `done, a1, 2018-03-23 16:04, 2018-03-23 16:39`. */
  raw: { data: string };
}

/** What Mermaid's gantt db holds once the renderer would start drawing. */
export interface GanttModel {
  dateFormat: string;
  axisFormat: string;
  /** As written; the renderer applies it only when it matches `GANTT_TICK_INTERVAL`. */
  tickInterval: string | undefined;
  /** As written: `off`, a style, or '' when absent. */
  todayMarker: string;
  sections: string[];
  tasks: GanttTask[];
}

/** The renderer's own pattern for `tickInterval`: any other value is silently ignored. */
export const GANTT_TICK_INTERVAL = /^([1-9]\d*)(millisecond|second|minute|hour|day|week|month)$/;

type Mermaid = (typeof import('mermaid'))['default'];

let loading: Promise<Mermaid> | undefined;
// Mermaid's dbs are module singletons: one diagram at a time.
let queue: Promise<unknown> = Promise.resolve();

function installSanitizerStub(): void {
  if (DOMPurify.isSupported) return; // a real DOM is there: let DOMPurify do its work
  const purify = DOMPurify as unknown as Record<string, unknown>;
  if (typeof purify['sanitize'] === 'function') return; // already installed
  const noop = (): void => {};
  Object.assign(purify, {
    sanitize: (dirty: unknown) => (typeof dirty === 'string' ? dirty : String(dirty ?? '')),
    addHook: noop,
    removeHook: noop,
    removeHooks: noop,
    removeAllHooks: noop,
    setConfig: noop,
    clearConfig: noop,
    isValidAttribute: () => true,
  });
}

async function load(): Promise<Mermaid> {
  installSanitizerStub();
  const { default: mermaid } = await import('mermaid');
  mermaid.initialize({ startOnLoad: false, logLevel: 'fatal' });
  // Fails here, once and clearly, if Mermaid ever gets a DOMPurify other than the one patched.
  try {
    await mermaid.parse('gantt\n  title check\n  dateFormat YYYY-MM-DD\n  a :a1, 2020-01-01, 1d\n');
  } catch (error) {
    throw new Error(`Mermaid cannot parse in this process: ${(error as Error).message}`, { cause: error });
  }
  return mermaid;
}

function ready(): Promise<Mermaid> {
  loading ??= load();
  return loading;
}

function numbered(text: string): string {
  return text
    .split('\n')
    .map((line, i) => `${String(i + 1).padStart(3)} | ${line}`)
    .join('\n');
}

function rejected(text: string, stage: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new Error(`Mermaid rejected the diagram (${stage}): ${message}\n--- diagram ---\n${numbered(text)}`, {
    cause: error,
  });
}

function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

/** Runs Mermaid on `text` (a diagram, without the ``` fences); returns the gantt db's contents, or null for other diagram types. */
async function run(text: string): Promise<GanttModel | null> {
  const mermaid = await ready();
  try {
    await mermaid.parse(text);
  } catch (error) {
    throw rejected(text, 'mermaid.parse', error);
  }
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  if (diagram.type !== 'gantt') return null;
  const db = diagram.db as unknown as GanttDb;
  let tasks: GanttTask[];
  try {
    tasks = db.getTasks();
  } catch (error) {
    throw rejected(text, 'gantt getTasks, as the renderer calls it', error);
  }
  for (const task of tasks) {
    if (!isValidDate(task.startTime) || !isValidDate(task.endTime)) {
      throw rejected(
        text,
        'gantt dates',
        new Error(`task "${task.task.trim()}" (${task.id}) has start ${String(task.startTime)} and end ${String(task.endTime)}`),
      );
    }
  }
  return {
    dateFormat: db.getDateFormat(),
    axisFormat: db.getAxisFormat(),
    tickInterval: db.getTickInterval(),
    todayMarker: db.getTodayMarker(),
    sections: [...db.getSections()],
    tasks: tasks.map((task) => ({ ...task })),
  };
}

function enqueue<T>(job: () => Promise<T>): Promise<T> {
  const result = queue.then(job, job);
  queue = result.catch(() => undefined);
  return result;
}

/**
 * Resolves when Mermaid accepts `text` (the diagram source, without the ``` fences), throws
 * an Error naming Mermaid's complaint and showing the numbered source when it does not.
 */
export async function parseMermaid(text: string): Promise<void> {
  await enqueue(() => run(text));
}

/**
 * Like parseMermaid, for a gantt: also returns what Mermaid's db made of it, so a test can
 * check what Mermaid accepts without complaint but draws differently from what was meant
 * (an end it could not read becomes a zero-length task; a `tickInterval` it cannot read is
 * ignored).
 */
export async function parseMermaidGantt(text: string): Promise<GanttModel> {
  const model = await enqueue(() => run(text));
  if (model === null) throw new Error(`not a gantt diagram:\n${numbered(text)}`);
  return model;
}

/** The source of every ```mermaid fenced block in `markdown`, in order (fences with ``` or ~~~, at least three). */
export function mermaidBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*mermaid\s*$/.exec(lines[i] ?? '');
    if (!open) continue;
    const fence = open[1] ?? '```';
    const body: string[] = [];
    for (i++; i < lines.length; i++) {
      const line = lines[i] ?? '';
      if (new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`).test(line)) break;
      body.push(line);
    }
    blocks.push(body.join('\n'));
  }
  return blocks;
}
