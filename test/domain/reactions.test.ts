import { describe, expect, it } from 'vitest';
import { categoriesOf, categoryOf } from '../../src/domain/reactions.js';

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
