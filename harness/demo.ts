// `npm run demo`: a scripted incident through the real app and the Slack
// simulator over HTTP, no Slack account needed. Prints what the channels saw,
// then the postmortem draft, and writes the draft to a file.
//
//   npm run demo                                   the built-in payments story (demo-incident.json)
//   npm run demo -- --script <file.json>           any incident script (see replay.ts)
//   npm run demo -- --out <file.md>                where the draft goes (default postmortem-demo.md)

import { realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatDayHeading, formatTime } from '../src/domain/time.js';
import { ReplayError, ScriptError, loadScript, replay, type IncidentScript, type ReplayEvent } from './replay.js';

const DEFAULT_SCRIPT = fileURLToPath(new URL('./demo-incident.json', import.meta.url));
const USAGE = 'Usage: npm run demo [-- --script <incident.json>] [--out <file.md>]';

/** Where the demo writes; `color` adds bold and dim for a terminal. */
export interface DemoOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  color: boolean;
}

interface Style {
  bold: (text: string) => string;
  dim: (text: string) => string;
}

function styleFor(color: boolean): Style {
  return {
    bold: (text) => (color ? `\x1b[1m${text}\x1b[22m` : text),
    dim: (text) => (color ? `\x1b[2m${text}\x1b[22m` : text),
  };
}

/** Prints the replay as a chat transcript: one line per thing a person did, the bot's answers under it. */
class Transcript {
  private readonly nameWidth: number;
  private channel: string | null = null;
  private day: string | null = null;

  constructor(
    private readonly script: IncidentScript,
    private readonly write: (text: string) => void,
    private readonly style: Style,
  ) {
    this.nameWidth = Math.max(7, ...script.people.map((person) => person.name.length));
  }

  private said(at: number, who: string, channel: string, what: string): void {
    const day = formatDayHeading(at, this.script.timeZone);
    if (day !== this.day) {
      this.write(`${this.day === null ? '' : '\n'}${this.style.dim(day)}\n`);
      this.day = day;
      this.channel = null;
    }
    if (channel !== this.channel) {
      this.write(`${this.channel === null ? '' : '\n'}${this.style.dim(`#${channel}`)}\n`);
      this.channel = channel;
    }
    this.write(`${this.style.dim(formatTime(at, this.script.timeZone).padEnd(10))} ${this.style.bold(who.padEnd(this.nameWidth))} ${what}\n`);
  }

  private aside(what: string): void {
    this.write(`${' '.repeat(11)}${this.style.dim('↳')} ${what}\n`);
  }

  /** A bot post on one line, quotes marked as such. */
  private static oneLine(text: string): string {
    return text
      .split('\n')
      .map((line) => (line.startsWith('>') ? `“${line.slice(1)}”` : line))
      .join(' ');
  }

  readonly show = (event: ReplayEvent): void => {
    switch (event.kind) {
      case 'command':
      case 'message':
        this.said(event.at, event.who, event.channel, `${event.kind === 'message' && event.inThread ? '(in thread) ' : ''}${event.text}`);
        return;
      case 'form':
        this.aside(`${event.who} fills in the form: ${event.fields.map(([field, value]) => `${field}: “${value}”`).join(' · ')}`);
        return;
      case 'reply':
        this.aside(`sitrep, only to ${event.who}: ${event.text.split('\n')[0] ?? ''}`);
        return;
      case 'reaction':
        this.aside(event.removed ? `:${event.emoji}: removed by ${event.who}` : `:${event.emoji}: from ${event.who}`);
        return;
      case 'edit':
        this.said(event.at, event.who, event.channel, `(edits their message to) ${event.text}`);
        return;
      case 'delete':
        this.said(event.at, event.who, event.channel, `(deletes their message) ${this.style.dim(event.text)}`);
        return;
      case 'bot':
        // The declare's own channel hears nothing the transcript needs; the reply says it all.
        if (event.channel === this.script.opsChannel) return;
        if (event.prompted) this.aside(`sitrep in #${event.channel}: ${Transcript.oneLine(event.text)}`);
        else this.said(event.at, 'sitrep', event.channel, Transcript.oneLine(event.text));
        return;
      case 'opened':
        this.aside(`sitrep invited ${event.who} to #${event.channel} and pinned that summary, which it keeps up to date`);
        return;
      case 'draft':
        this.aside(`sitrep posted ${event.file} to #${event.channel}`);
        return;
    }
  };
}

/** The demo with its arguments; resolves with the exit code. */
export async function runDemo(argv: string[], output: DemoOutput): Promise<number> {
  const { bold, dim } = styleFor(output.color);
  let values: { out?: string | undefined; script?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string', default: 'postmortem-demo.md' },
        script: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    output.stderr(`demo: ${(error as Error).message}\n${USAGE}\n`);
    return 1;
  }
  if (values.help) {
    output.stdout(`${USAGE}\n`);
    return 0;
  }
  const out = values.out ?? 'postmortem-demo.md';
  try {
    const script = loadScript(values.script ?? DEFAULT_SCRIPT);
    const transcript = new Transcript(script, output.stdout, { bold, dim });
    output.stdout(`${bold('sitrep demo')}: ${script.about}, played on a simulated Slack workspace.\n\n`);
    const result = await replay(script, { onEvent: transcript.show });
    if (!result.draft) {
      throw new ReplayError(`the script never resolved INC-${result.incidentNumber}, so sitrep wrote no draft; end it with a "resolve" command`);
    }
    writeFileSync(out, result.draft.content);
    output.stdout(`\n${bold('The postmortem draft')} ${dim(`(also written to ${out})`)}\n\n${result.draft.content}\n`);
    output.stdout(`${dim(`Written to ${out}. Export any incident the same way with: npm run postmortem -- <INC-n>`)}\n`);
    return 0;
  } catch (error) {
    // A bad script or a refused step is the user's to fix: say what, without a stack trace.
    if (error instanceof ScriptError || error instanceof ReplayError) output.stderr(`demo: ${error.message}\n`);
    else output.stderr(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const code = await runDemo(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    color: process.stdout.isTTY === true,
  });
  process.exitCode = code;
}
