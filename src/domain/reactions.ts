// Which emoji reaction marks a message as which kind of timeline moment.

export const CATEGORIES = [
  'key',
  'impact',
  'investigation',
  'cause',
  'mitigation',
  'resolution',
  'action',
] as const;
export type Category = (typeof CATEGORIES)[number];

export type ReactionMap = Readonly<Record<string, Category>>;

export const DEFAULT_REACTIONS: ReactionMap = {
  pushpin: 'key',
  rotating_light: 'impact',
  mag: 'investigation',
  bulb: 'cause',
  hammer_and_wrench: 'mitigation',
  white_check_mark: 'resolution',
  memo: 'action',
};

export const CATEGORY_LABELS: Readonly<Record<Category, string>> = {
  key: 'Key event',
  impact: 'Impact',
  investigation: 'Investigation',
  cause: 'Cause',
  mitigation: 'Mitigation',
  resolution: 'Resolution',
  action: 'Follow-up',
};

/**
 * Slack names skin-toned reactions `name::skin-tone-2`; the tone does not change the meaning.
 */
export function categoryOf(reaction: string, map: ReactionMap = DEFAULT_REACTIONS): Category | null {
  const base = reaction.split('::')[0] ?? reaction;
  return Object.hasOwn(map, base) ? (map[base] ?? null) : null;
}

/** The distinct categories that a set of reactions marks, in CATEGORIES order. */
export function categoriesOf(reactions: Iterable<string>, map: ReactionMap = DEFAULT_REACTIONS): Category[] {
  const found = new Set<Category>();
  for (const reaction of reactions) {
    const category = categoryOf(reaction, map);
    if (category) found.add(category);
  }
  return CATEGORIES.filter((category) => found.has(category));
}
