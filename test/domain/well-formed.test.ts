import { describe, expect, it } from 'vitest';
import { wellFormed } from '../../src/domain/mrkdwn.js';

describe('wellFormed', () => {
  it.each([
    ['plain', 'plain'],
    ['emoji 🔥 stays', 'emoji 🔥 stays'],
    ['lone high \uD83D here', 'lone high \uFFFD here'],
    ['lone low \uDD25 here', 'lone low \uFFFD here'],
    ['\uDD25\uD83D', '\uFFFD\uFFFD'],
  ])('%j → %j', (input, expected) => {
    expect(wellFormed(input)).toBe(expected);
  });
});
