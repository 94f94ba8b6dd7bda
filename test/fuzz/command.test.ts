// The command parser against hostile input: it never throws, never invents
// anything, and refuses what it cannot read with a short, clear explanation.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TEXT_LENGTH, MAX_TITLE_LENGTH, parseCommand, quoted, USAGE, type Command } from '../../src/domain/command.js';
import { anyText, hostileText, longText } from './hostile.js';

const COMMAND_WORDS = ['', 'help', 'declare', 'status', 'update', 'severity', 'lead', 'role', 'note', 'timestamp', 'action', 'actions', 'timezone', 'resolve', 'postmortem', 'list'];

/** A command word, in any case, followed by hostile arguments: reaches every branch of the parser. */
const commandText = fc.oneof(
  anyText,
  fc
    .tuple(fc.constantFrom(...COMMAND_WORDS), fc.boolean(), fc.constantFrom(' ', '\t', '\n', '  '), anyText)
    .map(([word, upper, gap, rest]) => `${upper ? word.toUpperCase() : word}${gap}${rest}`),
  fc
    .tuple(fc.constantFrom('declare', 'status', 'note', 'timestamp', 'role'), fc.constantFrom('sev1', 'sev9', 'identified', '14:05', '2024-04-09', 'detected', 'lead', 'comms'), hostileText)
    .map(([word, second, rest]) => `${word} ${second} ${rest}`),
);

/** The free-text parts of a command: what the user typed, passed on. */
function textsOf(command: Command): string[] {
  switch (command.kind) {
    case 'declare':
      return [command.title];
    case 'status':
      return command.message === null ? [] : [command.message];
    case 'update':
      return [command.message];
    case 'note':
    case 'action':
      return [command.text];
    case 'timezone':
      return [command.zone];
    case 'resolve':
      return command.summary === null ? [] : [command.summary];
    default:
      return [];
  }
}

describe('parseCommand on hostile input', () => {
  it('never throws, and answers with a command or a short explanation and its usage', () => {
    fc.assert(
      fc.property(commandText, (text) => {
        const result = parseCommand(text);
        if (result.ok) {
          expect(typeof result.command.kind).toBe('string');
          expect(JSON.parse(JSON.stringify(result))).toBeTruthy();
        } else {
          expect(result.error.trim().length).toBeGreaterThan(0);
          expect(result.usage.trim().length).toBeGreaterThan(0);
          // However much was pasted, the refusal quotes only a little of it.
          expect([...result.error].length).toBeLessThan(200);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('invents nothing: every text it passes on is a trimmed, non-empty part of what was typed', () => {
    fc.assert(
      fc.property(commandText, (text) => {
        const result = parseCommand(text);
        if (!result.ok) return;
        for (const part of textsOf(result.command)) {
          expect(part.length).toBeGreaterThan(0);
          expect(part).toBe(part.trim());
          expect(text).toContain(part);
        }
        const userIds = [
          ...(result.command.kind === 'role' ? [result.command.userId] : []),
          ...(result.command.kind === 'action' && result.command.ownerId ? [result.command.ownerId] : []),
        ];
        for (const id of userIds) {
          expect(id).toMatch(/^[UW][A-Z0-9_]+$/);
          expect(text).toContain(`<@${id}`);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('reads the same command whatever whitespace surrounds it', () => {
    fc.assert(
      fc.property(commandText, fc.constantFrom(' ', '\n', '\t \n', '\u00a0'), (text, pad) => {
        expect(parseCommand(`${pad}${text}${pad}`)).toEqual(parseCommand(text));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a hostile title exactly, broadcasts and control characters included (escaping is for whoever shows it), up to its limit', () => {
    fc.assert(
      fc.property(fc.constantFrom('sev1', 'sev2', 'sev3', 'sev4'), anyText.map((t) => t.trim()).filter((t) => t.length > 0), (severity, title) => {
        const result = parseCommand(`declare ${severity} ${title}`);
        if ([...title].length <= MAX_TITLE_LENGTH) expect(result).toEqual({ ok: true, command: { kind: 'declare', severity, title } });
        else expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/^That title is \d+ characters long/) });
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a very long unknown word with a short explanation', () => {
    fc.assert(
      fc.property(longText.map((text) => text.replace(/\s/g, 'x')), (word) => {
        const result = parseCommand(`x${word}`);
        expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/^`.{1,41}` is not an incident command\.$/su) });
      }),
      { numRuns: 50 },
    );
  });
});

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('quoted', () => {
  it.each([
    ['sev9', 'sev9'],
    ['a`b', "a'b"],
    ['a \n\t b', 'a b'],
    ['x'.repeat(41), `${'x'.repeat(40)}…`],
    ['😀'.repeat(50), `${'😀'.repeat(40)}…`],
  ])('%j → %j', (input, output) => {
    expect(quoted(input)).toBe(output);
  });

  it('never lets a backtick through, and never splits a character', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const shown = quoted(text);
        expect(shown).not.toContain('`');
        expect([...shown].length).toBeLessThanOrEqual(41);
        // Cutting short never leaves half a surrogate pair behind.
        if (!LONE_SURROGATE.test(text)) expect(shown).not.toMatch(LONE_SURROGATE);
      }),
      { numRuns: 500 },
    );
  });
});

describe('a time zone that is far too long', () => {
  it('is refused by the parser, quoting only its start', () => {
    const result = parseCommand(`timezone ${'Europe/'.repeat(3000)}London`);
    expect(result).toMatchObject({ ok: false, error: expect.stringMatching(/^`Europe\/Europe\/.{20,40}…` is not a time zone I know\.$/) });
    expect(parseCommand('timezone America/Argentina/ComodRivadavia')).toEqual({ ok: true, command: { kind: 'timezone', zone: 'America/Argentina/ComodRivadavia' } });
  });
});

describe('text too long to post', () => {
  it.each([
    [`declare sev2 ${'t'.repeat(MAX_TITLE_LENGTH + 1)}`, /^That title is 151 characters long; a title can be up to 150\./, 'declare'],
    [`status identified ${'m'.repeat(MAX_TEXT_LENGTH + 1)}`, /^That is 4001 characters long; a status update can be up to 4000\./, 'status'],
    [`update ${'😀'.repeat(MAX_TEXT_LENGTH + 1)}`, /^That is 4001 characters long; an update can be up to 4000\./, 'update'],
    [`note 14:05 ${'n'.repeat(MAX_TEXT_LENGTH + 1)}`, /a note can be up to 4000/, 'note'],
    [`action ${'a'.repeat(MAX_TEXT_LENGTH + 1)} <@U_BOB>`, /a follow-up action can be up to 4000/, 'action'],
    [`resolve ${'r'.repeat(MAX_TEXT_LENGTH + 1)}`, /a resolution summary can be up to 4000/, 'resolve'],
  ])('refuses %#', (text, error, usage) => {
    expect(parseCommand(text)).toEqual({ ok: false, error: expect.stringMatching(error), usage: USAGE[usage] });
  });

  it('takes text right at the limits', () => {
    expect(parseCommand(`declare ${'t'.repeat(MAX_TITLE_LENGTH)}`)).toMatchObject({ ok: true });
    expect(parseCommand(`update ${'😀'.repeat(MAX_TEXT_LENGTH)}`)).toMatchObject({ ok: true });
  });
});
