// The two checks a postmortem draft will be put through, shown to both pass and fail:
// markdownlint (cli2's default rules, MD013 off) and Mermaid's own gantt parser.

import { describe, expect, it } from 'vitest';
import { lintMarkdown } from '../support/markdownlint.js';
import { mermaidBlocks, parseMermaid, parseMermaidGantt } from '../support/mermaid.js';

const CLEAN = [
  '# Postmortem: checkout errors',
  '',
  '| Field | Value |',
  '| --- | --- |',
  '| Severity | SEV1 |',
  '',
  '## Timeline',
  '',
  '- 16:04 UTC: alert fired',
  '- 16:39 UTC: resolved, a very long line that would break MD013 if it were on, which it is not, so this line can go on and on and on',
  '',
  '```mermaid',
  'gantt',
  '  dateFormat x',
  '  axisFormat %H:%M',
  '  section Impact',
  '  Impact :done, p1, 1521821054000, 1521823140000',
  '```',
  '',
].join('\n');

describe('lintMarkdown', () => {
  it('passes clean Markdown (and ignores line length)', () => {
    expect(lintMarkdown(CLEAN)).toEqual([]);
  });

  it('reports two blank lines in a row, with rule, line and detail', () => {
    const problems = lintMarkdown('# Title\n\nOne.\n\n\nTwo.\n');
    expect(problems).toEqual(['5 MD012/no-multiple-blanks Multiple consecutive blank lines [Expected: 1; Actual: 2]']);
  });

  it('reports a heading without a space after the hash', () => {
    const problems = lintMarkdown('# Title\n\n#Heading\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^3:1 MD018\/no-missing-space-atx .*\[Context: "#Heading"\]$/);
  });

  it('honours inline configuration comments, as markdownlint-cli2 does', () => {
    expect(lintMarkdown('# Title\n\n<details>\n\nText\n\n</details>\n')).toEqual([expect.stringMatching(/MD033\/no-inline-html/)]);
    expect(lintMarkdown('# Title\n\n<!-- markdownlint-disable MD033 -->\n\n<details>\n\nText\n\n</details>\n')).toEqual([]);
  });
});

const gantt = (dateFormat: string, ...lines: string[]): string =>
  ['gantt', '  title Incident timeline', `  dateFormat ${dateFormat}`, '  axisFormat %H:%M', ...lines, ''].join('\n');

describe('parseMermaid', () => {
  it('accepts a gantt with YYYY-MM-DD HH:mm dates', async () => {
    await expect(
      parseMermaid(gantt('YYYY-MM-DD HH:mm', '  section Response', '  Impact :a1, 2018-03-23 16:04, 2018-03-23 16:39')),
    ).resolves.toBeUndefined();
  });

  it('accepts epoch milliseconds under dateFormat x, with tickInterval and todayMarker off', async () => {
    const model = await parseMermaidGantt(
      gantt(
        'x',
        '  tickInterval 5minute',
        '  todayMarker off',
        '  section Response',
        '  Impact :done, p1, 1521821054000, 1521823140000',
        '  Mitigation :crit, m1, 1521822000000, 1521823140000',
        '  Resolved :milestone, r1, 1521823140000, 0ms',
      ),
    );
    expect(model).toMatchObject({ dateFormat: 'x', axisFormat: '%H:%M', tickInterval: '5minute', todayMarker: 'off' });
    expect(model.tasks.map((t) => [t.id, t.startTime.toISOString(), t.endTime.toISOString()])).toEqual([
      ['p1', '2018-03-23T16:04:14.000Z', '2018-03-23T16:39:00.000Z'],
      ['m1', '2018-03-23T16:20:00.000Z', '2018-03-23T16:39:00.000Z'],
      ['r1', '2018-03-23T16:39:00.000Z', '2018-03-23T16:39:00.000Z'],
    ]);
    expect(model.tasks[0]?.done).toBe(true);
  });

  it('rejects a task line without task data', async () => {
    await expect(parseMermaid(gantt('YYYY-MM-DD HH:mm', '  section Response', '  this is garbage'))).rejects.toThrow(
      /Mermaid rejected the diagram \(mermaid\.parse\): Parse error on line 6:[\s\S]*Expecting 'taskData', got 'NL'[\s\S]*6 \|   this is garbage/,
    );
  });

  it('rejects a start date Mermaid cannot read, which mermaid.parse alone lets through', async () => {
    await expect(
      parseMermaid(gantt('YYYY-MM-DD HH:mm', '  section Response', '  Impact :a1, 2018-03-23 25:99, 2018-03-23 16:39')),
    ).rejects.toThrow(/getTasks.*Invalid date:2018-03-23 25:99/);
  });

  it('rejects an epoch start that overflows Date', async () => {
    await expect(parseMermaid(gantt('x', '  section S', '  Impact :p1, 99999999999999999, 1521823140000'))).rejects.toThrow(
      /task "Impact" \(p1\) has start Invalid Date/,
    );
  });

  it('rejects text that is no Mermaid diagram', async () => {
    await expect(parseMermaid('this is not mermaid\n')).rejects.toThrow(/No diagram type detected/);
  });

  // What Mermaid takes without complaint but draws differently from what was meant: a test of
  // the draft has to check these through parseMermaidGantt's model.
  it('silently turns an end it cannot read into a zero-length task', async () => {
    const model = await parseMermaidGantt(gantt('YYYY-MM-DD HH:mm', '  section S', '  Impact :a1, 2018-03-23 16:04, banana'));
    expect(model.tasks[0]?.endTime).toEqual(model.tasks[0]?.startTime);
  });

  it('silently ignores a tickInterval the renderer cannot read, and takes the next line for an empty todayMarker', async () => {
    const model = await parseMermaidGantt(gantt('x', '  tickInterval 5 minute', '  todayMarker', '  section S', '  A :a1, 1521821054000, 1521823140000'));
    expect(model.tickInterval).toBe('5 minute');
    expect(model.todayMarker).toBe('  section S');
    expect(model.sections).toEqual([]);
  });

  it('splits a task name at its first colon', async () => {
    const model = await parseMermaidGantt(gantt('x', '  section S', '  16:04 alert fired :a1, 1521821054000, 1521823140000'));
    expect(model.tasks[0]).toMatchObject({ task: '16', id: '04 alert fired :a1' });
  });

  it('finds the mermaid blocks of a draft', async () => {
    const blocks = mermaidBlocks(CLEAN);
    expect(blocks).toHaveLength(1);
    await expect(parseMermaid(blocks[0] ?? '')).resolves.toBeUndefined();
  });
});
