import { describe, expect, it } from 'vitest';
import { HOME_DECLARE_ACTION, HOME_MAX_OPEN, homeView } from '../../src/messages/home-view.js';
import { viewProblems } from '../../harness/simulator/validation.js';
import { incident, utc } from '../domain/sample-incident.js';

const open = (number: number, title = `Incident ${number}`) =>
  incident({ number, title, status: 'investigating', resolvedAt: null, roles: {}, declaredAt: utc(16, 0) });

function texts(view: ReturnType<typeof homeView>): string[] {
  const blocks = view.blocks as Array<{ type: string; text?: { text: string } }>;
  return blocks.flatMap((block) => (block.type === 'section' && block.text ? [block.text.text] : []));
}

describe('homeView', () => {
  it('shows titles as text: no mentions, links or broadcasts', () => {
    const view = homeView({ open: [open(1, '<!channel> <@U1> <https://evil|click> & co')], resolved: [], now: utc(16, 45) });
    expect(texts(view)[1]).toBe(
      '*INC-1* · &lt;!channel&gt; &lt;@U1&gt; &lt;https://evil|click&gt; &amp; co\nSEV2 · Investigating · _no lead_ · open 45m · <#C042>',
    );
  });

  it('shows a resolved incident with its resolution time in its own zone', () => {
    const resolved = incident({ timeZone: 'America/New_York' });
    expect(texts(homeView({ open: [], resolved: [resolved], now: utc(18, 0) })).at(-1)).toBe(
      '*INC-42* · Checkout API returning 500s\nSEV2 · resolved 2024-04-09 13:02 EDT · <#C042>',
    );
  });

  it('has the declare button', () => {
    const view = homeView({ open: [], resolved: [], now: 0 });
    expect(JSON.stringify(view.blocks)).toContain(`"action_id":"${HOME_DECLARE_ACTION}"`);
  });

  it('stays within what Slack accepts however many incidents are open, and counts the rest', () => {
    const many = Array.from({ length: 120 }, (_, i) => open(i + 1, 'x'.repeat(400)));
    const resolved = Array.from({ length: 5 }, (_, i) => incident({ number: 200 + i }));
    const view = homeView({ open: many, resolved, now: utc(17, 0) });
    expect(viewProblems(view, 'home')).toEqual([]);
    expect(texts(view).filter((text) => text.startsWith('*INC-'))).toHaveLength(HOME_MAX_OPEN + 5);
    expect(JSON.stringify(view.blocks)).toContain(`…and ${120 - HOME_MAX_OPEN} more.`);
  });
});
