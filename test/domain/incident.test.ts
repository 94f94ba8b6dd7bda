import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { channelName, incidentRef, parseIncidentRef, slugify } from '../../src/domain/incident.js';

describe('channelName', () => {
  it.each([
    ['inc', 1, 'Payments failing', undefined, 'inc-1-payments-failing'],
    ['inc', 42, 'API: 500s on /v1/charges!', undefined, 'inc-42-api-500s-on-v1-charges'],
    ['inc', 7, 'Café déjà vu', undefined, 'inc-7-cafe-deja-vu'],
    ['inc', 7, '決済が失敗', undefined, 'inc-7'],
    ['incident', 3, 'DB down', 2, 'incident-3-db-down-2'],
    ['inc', 3, '   ', 5, 'inc-3-5'],
    ['INC', 9, 'x', undefined, 'inc-9-x'],
  ])('%s %i %j suffix %s → %s', (prefix, number, title, suffix, expected) => {
    expect(channelName(prefix, number, title, suffix)).toBe(expected);
  });

  it('stays within 80 characters, cut at a word, with room for a suffix', () => {
    const title = 'the payments service is returning errors for every customer in every region of the world';
    const name = channelName('inc', 123, title, 12);
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(/^inc-123-the-payments-service-.*[a-z]-12$/);
    expect(name).not.toMatch(/--/);
  });

  it('always gives a name Slack accepts', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.integer({ min: 1, max: 10 ** 9 }),
        fc.option(fc.integer({ min: 2, max: 99 }), { nil: undefined }),
        (title, number, suffix) => {
          const name = channelName('inc', number, title, suffix);
          expect(name.length).toBeLessThanOrEqual(80);
          expect(name).toMatch(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/);
          expect(name.startsWith(`inc-${number}`)).toBe(true);
        },
      ),
    );
  });
});

describe('slugify', () => {
  it.each([
    ['Hello World', 'hello-world'],
    ['--a--b--', 'a-b'],
    ['Ünïcödé', 'unicode'],
    ['', ''],
  ])('%j → %j', (text, slug) => expect(slugify(text)).toBe(slug));
});

describe('incident references', () => {
  it.each([
    ['INC-12', 12],
    ['inc-12', 12],
    ['12', 12],
    [' 7 ', 7],
    ['INC-0', null],
    ['0', null],
    ['twelve', null],
    ['INC-', null],
    ['-3', null],
  ])('%j → %s', (text, number) => expect(parseIncidentRef(text)).toBe(number));

  it('round-trips', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10 ** 9 }), (n) => {
      expect(parseIncidentRef(incidentRef(n))).toBe(n);
    }));
  });
});
