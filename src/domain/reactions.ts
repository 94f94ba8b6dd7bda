// Which emoji reaction marks a message as which kind of timeline moment.

export const CATEGORIES = [
  'key',
  'impact',
  'detection',
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
  bell: 'detection',
  mag: 'investigation',
  bulb: 'cause',
  hammer_and_wrench: 'mitigation',
  white_check_mark: 'resolution',
  memo: 'action',
};

export const CATEGORY_LABELS: Readonly<Record<Category, string>> = {
  key: 'Key event',
  impact: 'Impact',
  detection: 'Detection',
  investigation: 'Investigation',
  cause: 'Cause',
  mitigation: 'Mitigation',
  resolution: 'Resolution',
  action: 'Follow-up',
};

/** What each category is called where the emoji are listed for people to use. */
const LEGEND_WORDS: Readonly<Record<Category, string>> = {
  key: 'key event',
  impact: 'impact',
  detection: 'detection',
  investigation: 'investigation',
  cause: 'cause',
  mitigation: 'mitigation',
  resolution: 'resolution',
  action: 'follow-up',
};

/** The emoji that mark `category` under `map`, as `:name:`, in the map's order. */
export function emojiFor(category: Category, map: ReactionMap = DEFAULT_REACTIONS): string[] {
  return Object.entries(map)
    .filter(([, marks]) => marks === category)
    .map(([emoji]) => `:${emoji}:`);
}

/**
 * Which emoji to react with for what, under the configured map: `:pushpin: key event ·
 * :rotating_light: impact · …` (categories no emoji marks are left out). Every place
 * sitrep tells people how to mark (the pinned summary, the help, the draft) says it this way,
 * so a remapped emoji is named right everywhere.
 */
export function reactionLegend(map: ReactionMap = DEFAULT_REACTIONS, separator = ' · '): string {
  return CATEGORIES.map((category) => ({ category, emoji: emojiFor(category, map) }))
    .filter(({ emoji }) => emoji.length > 0)
    .map(({ category, emoji }) => `${emoji.join(' ')} ${LEGEND_WORDS[category]}`)
    .join(separator);
}

/** `:hammer_and_wrench: and :white_check_mark:`: the emoji for `categories`, for a sentence. */
export function emojiPhrase(categories: readonly Category[], map: ReactionMap = DEFAULT_REACTIONS): string {
  const emoji = categories.flatMap((category) => emojiFor(category, map));
  if (emoji.length <= 1) return emoji[0] ?? 'a reaction';
  return `${emoji.slice(0, -1).join(', ')} and ${emoji.at(-1) ?? ''}`;
}

/**
 * Reads `fire=impact, eyes=investigation` (emoji names without colons) into a map
 * laid over the defaults. Returns an error message for anything it cannot read.
 */
export function parseReactionMap(text: string, base: ReactionMap = DEFAULT_REACTIONS): ReactionMap | string {
  const map: Record<string, Category> = { ...base };
  for (const pair of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const match = /^:?([a-z0-9_+'-]+):?\s*=\s*([a-z]+)$/.exec(pair);
    const category = match?.[2] as Category | undefined;
    if (!match?.[1] || !category || !(CATEGORIES as readonly string[]).includes(category)) {
      return `"${pair}" is not emoji=category (categories: ${CATEGORIES.join(', ')})`;
    }
    map[match[1]] = category;
  }
  return map;
}

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
