// The figures the draft derives from the record, and the draft's form: it passes
// markdownlint (line length off) and its chart parses with Mermaid's own parser.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { postmortemFigures, renderPostmortem } from '../../src/domain/postmortem.js';
import { TRANSCRIPT_LIMIT } from '../../src/domain/draft/record.js';
import { CATEGORIES } from '../../src/domain/reactions.js';
import type { IncidentEvent, PostmortemInput } from '../../src/domain/timeline.js';
import { lintMarkdown } from '../support/markdownlint.js';
import { mermaidBlocks, parseMermaid, parseMermaidGantt } from '../support/mermaid.js';
import { section } from '../support/markdown.js';
import { HOSTILE_PIECES } from './markdown-support.js';
import { actions, events, incident, message, messages, NAMES, sampleInput, utc } from './sample-incident.js';

const MINUTE = 60_000;

describe('figures', () => {
  it('shows an attempt followed by an investigation or impact mark as one that did not end the impact', () => {
    const input = sampleInput({
      messages: [
        message(utc(16, 30), 'U1', 'restarting the pods', ['mitigation']),
        message(utc(16, 32), 'U3', 'still failing after the restart', ['impact']),
        message(utc(16, 35), 'U1', 'rolling back', ['mitigation']),
        message(utc(16, 36), 'U3', 'looking at the dashboards', []),
        message(utc(16, 39), 'U1', 'error rate back to normal', ['resolution']),
        message(utc(16, 40), 'U3', 'what caused the spike?', ['investigation']),
      ],
    });
    const { attempts } = postmortemFigures(input);
    expect(attempts.map((attempt) => [attempt.at, attempt.failed, attempt.followedBy?.category ?? null])).toEqual([
      [utc(16, 30), true, 'impact'],
      [utc(16, 35), false, null],
    ]);
    const draft = renderPostmortem(input);
    expect(section(draft, 'Mitigation and resolution')).toMatch(/\*\*16:30 UTC\*\* · Attempt that did not end the impact · Alice:/);
    expect(section(draft, 'Mitigation and resolution')).toMatch(/Then at 16:32 UTC, Carol \(impact\):/);
    expect(section(draft, 'Mitigation and resolution')).toMatch(/\*\*16:35 UTC\*\* · Mitigation · Alice:/);
    expect(section(draft, 'Lessons learned')).toMatch(/the attempt at 16:30 UTC \(Alice: "restarting the pods"\) did not end the impact/);
  });

  it('finds the longest stretch without a status update, and counts an open incident to the end of its record', () => {
    const open = sampleInput({
      incident: incident({ status: 'identified', resolvedAt: null }),
      events: events().filter((event) => !(event.kind === 'status' && event.status !== 'identified')),
      messages: [...messages(), message(utc(19, 25), 'U3', 'still digging')],
    });
    const figures = postmortemFigures(open);
    expect(figures.longestWithoutUpdate).toEqual({ from: utc(16, 25), to: utc(19, 25), durationMs: 3 * 60 * MINUTE, open: true });
    const draft = renderPostmortem(open);
    expect(section(draft, 'Milestones')).toContain('**Longest without a status update**: 3h, 16:25 – 19:25 UTC, and the incident is still open');
    expect(section(draft, 'Lessons learned')).toContain('no status update for 3h (16:25 – 19:25 UTC), longer than the 30m between reminders');
    expect(section(draft, 'Timeline')).toMatch(/### Since mitigation: 16:39 UTC, still open/);
  });

  it('marks quiet stretches in the timeline against the configured reminder interval', () => {
    const input = sampleInput();
    // 30 minutes by default: a 22-minute lull is no lull.
    expect(section(renderPostmortem(input), 'Timeline')).not.toContain('with nothing marked');
    const tight = section(renderPostmortem(input, { reminderIntervalMs: 15 * MINUTE }), 'Timeline');
    expect(tight).toContain('- _17m with nothing marked (16:45 – 17:02 UTC)._');
    expect(tight.match(/with nothing marked/g)).toHaveLength(1);
  });

  it('says a milestone and a message by the same person in the same minute once, on the message', () => {
    const recorded: IncidentEvent = { kind: 'milestone', at: utc(16, 38, 30), actorId: 'U1', milestone: 'mitigated' };
    const byOther: IncidentEvent = { kind: 'milestone', at: utc(16, 20, 30), actorId: 'U1', milestone: 'identified' };
    const draft = renderPostmortem(sampleInput({ events: [...events(), recorded, byOther] }));
    const timeline = section(draft, 'Timeline');
    expect(timeline).toContain('**16:38 UTC** · Mitigated · Mitigation · Alice: rolling back to v2024.04.08 now');
    expect(timeline).not.toContain('Mitigated (recorded by Alice)');
    // Carol's message at 16:20 is not Alice's: the milestone keeps its own line.
    expect(timeline).toContain('Cause identified (recorded by Alice)');
  });

  it('links every message to its Slack permalink, replies with their thread', () => {
    const draft = renderPostmortem(sampleInput({ workspaceUrl: 'https://acme.slack.com/' }));
    const ts = messages()[1]?.ts ?? '';
    expect(draft).toContain(`[**16:09 UTC**](https://acme.slack.com/archives/C042/p${ts.replace('.', '')})`);
    // `&` comes out backslash-escaped, which a link destination reads as `&`.
    expect(draft).toMatch(/\(https:\/\/acme\.slack\.com\/archives\/C042\/p\d+\?thread_ts=1712678940\.000000\\?&cid=C042\)/);
    expect(renderPostmortem(sampleInput({ workspaceUrl: null }))).not.toContain('slack.com/archives');
    expect(renderPostmortem(sampleInput({ workspaceUrl: 'javascript:alert(1)' }))).not.toContain('archives');
  });

  it('keeps every message in the transcript, unmarked ones too, capped for huge incidents', () => {
    const draft = renderPostmortem(sampleInput());
    expect(section(draft, 'Transcript')).toContain('looking at the payments logs');
    expect(section(draft, 'Transcript')).not.toContain('secret pasted here');
    const many = Array.from({ length: TRANSCRIPT_LIMIT + 5 }, (_, index) => message(utc(16, 11) + index * 1000, 'U3', `line ${index}`));
    const huge = renderPostmortem(sampleInput({ messages: many }));
    expect(section(huge, 'Transcript')).toContain(`line ${TRANSCRIPT_LIMIT - 1}`);
    expect(section(huge, 'Transcript')).not.toContain(`line ${TRANSCRIPT_LIMIT}\n`);
    expect(section(huge, 'Transcript')).toContain(`5 more are left out`);
    expect(section(huge, 'Transcript')).toContain('`npm run postmortem -- INC-42 --format json` has them all');
  });

  it('carries the same figures in JSON for other tools', () => {
    const figures = postmortemFigures(sampleInput());
    expect(figures.impactWindow).toEqual({ start: utc(16, 4, 14), end: utc(16, 39), endsWith: 'mitigated', durationMs: utc(16, 39) - utc(16, 4, 14) });
    expect(figures.timeToDeclareMs).toBe(utc(16, 10) - utc(16, 4, 14));
    expect(figures.severityPeriods.map((period) => [period.severity, period.durationMs])).toEqual([
      ['sev3', 2 * MINUTE],
      ['sev2', 50 * MINUTE],
    ]);
    expect(figures.phases.map((phase) => phase.title)).toContain('Declaration to identification');
    expect(figures.suggestions.length).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(figures))).toEqual(figures);
  });
});

describe('form', () => {
  const lintAndChart = async (input: PostmortemInput, timeZone?: string): Promise<void> => {
    const draft = renderPostmortem(input, timeZone ? { timeZone } : {});
    expect(lintMarkdown(draft)).toEqual([]);
    // The one rule switched off is MD033, around the transcript's <details>; no quoted text opens a comment.
    const own = draft.replace('<!-- markdownlint-disable MD033 -->', '').replace('<!-- markdownlint-enable MD033 -->', '');
    expect(own).not.toContain('<!--');
    const charts = mermaidBlocks(draft);
    expect(charts).toHaveLength(1);
    for (const chart of charts) await parseMermaid(chart);
  };

  it('passes markdownlint, and Mermaid parses its chart, for a resolved, an open and a multi-day incident', async () => {
    await lintAndChart(sampleInput());
    await lintAndChart(sampleInput({ incident: incident({ status: 'identified', resolvedAt: null }) }));
    await lintAndChart(sampleInput(), 'Asia/Tokyo');
    await lintAndChart(sampleInput({ incident: incident({ milestones: {}, summary: null, impact: null }), messages: [], actions: [] }));
  });

  it('draws the impact, the phases and each severity period at their wall-clock times', async () => {
    const chart = mermaidBlocks(renderPostmortem(sampleInput(), { timeZone: 'America/New_York' }))[0] ?? '';
    const gantt = await parseMermaidGantt(chart);
    const tasks = gantt.tasks.map((task) => `${task.section} / ${task.task.trim()}`);
    expect(tasks).toEqual([
      'Impact / Impact',
      'Phases / Impact to detection',
      'Phases / Detection to declaration',
      'Phases / Declaration to identification',
      'Phases / Identification to mitigation',
      'Phases / Mitigation to resolution',
      'Severity / SEV3',
      'Severity / SEV2',
    ]);
    expect(chart).toContain('SEV2 :2024-04-09 12:12, 2024-04-09 13:02');
  });

  const hostileText = fc.oneof(fc.string({ unit: fc.constantFrom(...HOSTILE_PIECES), maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 30 }));

  it('passes markdownlint whatever people write', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ minute: fc.integer({ min: 0, max: 60 * 30 }), text: hostileText, categories: fc.subarray([...CATEGORIES]) }), { maxLength: 8 }),
        hostileText,
        hostileText,
        fc.constantFrom('UTC', 'America/New_York'),
        async (specs, title, note, zone) => {
          const base = utc(15, 0);
          const input = sampleInput({
            incident: incident({ title, summary: note, impact: note }),
            messages: specs.map((spec, index) => message(base + spec.minute * MINUTE + index, 'U3', spec.text, spec.categories)),
            events: [...events(), { kind: 'note', at: base, actorId: 'U3', text: note }],
            actions: [{ text: note, ownerId: null, createdAt: base, done: false }, ...actions()],
            names: { ...NAMES, U3: note },
          });
          await lintAndChart(input, zone);
        },
      ),
      { numRuns: 15 },
    );
  });
});
