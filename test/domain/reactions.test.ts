import { describe, expect, it } from 'vitest';
import { DEFAULT_REACTIONS, categoriesOf, categoryOf, parseReactionMap } from '../../src/domain/reactions.js';

describe('categoryOf', () => {
  it.each([
    ['pushpin', 'key'],
    ['rotating_light', 'impact'],
    ['mag', 'investigation'],
    ['bulb', 'cause'],
    ['hammer_and_wrench', 'mitigation'],
    ['white_check_mark', 'resolution'],
    ['memo', 'action'],
    ['white_check_mark::skin-tone-3', 'resolution'],
    ['thumbsup', null],
    ['constructor', null],
    ['__proto__', null],
    ['', null],
  ])('%s → %s', (reaction, category) => expect(categoryOf(reaction)).toBe(category));

  it('follows a configured map', () => {
    expect(categoryOf('fire', { fire: 'impact' })).toBe('impact');
    expect(categoryOf('pushpin', { fire: 'impact' })).toBeNull();
  });
});

describe('categoriesOf', () => {
  it('gives each category once, in a fixed order', () => {
    expect(categoriesOf(['memo', 'pushpin', 'thumbsup', 'pushpin', 'bulb'])).toEqual(['key', 'cause', 'action']);
  });
  it('is empty for no marks', () => expect(categoriesOf([])).toEqual([]));
});

describe('parseReactionMap', () => {
  it.each([
    ['', {}],
    ['fire=impact', { fire: 'impact' }],
    [' :fire: = impact , eyes=investigation ', { fire: 'impact', eyes: 'investigation' }],
    ['pushpin=action', { pushpin: 'action' }],
    ['+1=key', { '+1': 'key' }],
  ])('%j lays %j over the defaults', (text, extra) => {
    expect(parseReactionMap(text)).toEqual({ ...DEFAULT_REACTIONS, ...extra });
  });

  it.each(['fire', 'fire=panic', '=impact', 'fire=impact=cause', 'Fire Alarm=impact'])('refuses %j', (text) => {
    expect(parseReactionMap(text)).toMatch(/is not emoji=category/);
  });
});
