// Small mdast builders and the one serialiser. User text only ever enters the
// document as text/code node values, so escaping is the serialiser's job and no
// call site can get it wrong.

import type {
  BlockContent,
  Blockquote,
  Code,
  Emphasis,
  Heading,
  Html,
  Link,
  InlineCode,
  List,
  Nodes,
  Parent,
  ListItem,
  Paragraph,
  PhrasingContent,
  Root,
  Strong,
  Table,
  TableCell,
  Text,
} from 'mdast';
import { defaultHandlers, toMarkdown, type Handle, type Unsafe } from 'mdast-util-to-markdown';
import { gfmToMarkdown } from 'mdast-util-gfm';
import stringWidth from 'string-width';

/**
 * Slack broadcast tokens written out literally (`&lt;!channel&gt;` in mrkdwn, or a
 * name someone chose) would come back to life if the text were ever posted to Slack
 * again, and a Markdown serialiser only escapes them to `\<!channel>`. Well-formed
 * ones read as what they mean (`@channel`); any other `<!` before a broadcast word
 * gets a word joiner, which nobody sees and Slack does not parse.
 */
export function defuseBroadcastText(value: string): string {
  // Both replacements below start with `<!`: without one there is nothing to do.
  if (!value.includes('<!')) return value;
  return spellOutBroadcasts(value).replace(BROADCAST_START, '<\u2060!');
}

/** `<!channel>`, `<!here>`, `<!everyone>` (and `<!group>`, with an optional label) as the words they mean. */
export function spellOutBroadcasts(value: string): string {
  return value.replace(/<!(channel|here|everyone|group)(?:\|[^<>]*)?>/gi, (_m, word: string) => `@${broadcastWord(word)}`);
}

/** A `<!` that could start a broadcast or group mention: what each output format must break up its own way. */
export const BROADCAST_START = /<!(?=channel|here|everyone|group|subteam)/gi;

/** `<!group>` is the legacy spelling of `<!channel>`. */
export function broadcastWord(word: string): string {
  const lower = word.toLowerCase();
  return lower === 'group' ? 'channel' : lower;
}

export function text(value: string): Text {
  return { type: 'text', value: defuseBroadcastText(value) };
}

export function strong(...children: PhrasingContent[]): Strong {
  return { type: 'strong', children };
}

export function emphasis(...children: PhrasingContent[]): Emphasis {
  return { type: 'emphasis', children };
}

export function inlineCode(value: string): InlineCode {
  return { type: 'inlineCode', value: defuseBroadcastText(value) };
}

export function link(url: string, ...children: PhrasingContent[]): Link {
  return { type: 'link', url, children };
}

export function blockquote(children: BlockContent[]): Blockquote {
  return { type: 'blockquote', children };
}

/** A fenced code block: the draft's own text (a Mermaid chart), never a person's. */
export function codeBlock(lang: string, value: string): Code {
  return { type: 'code', lang, value };
}

/** Raw HTML, for the draft's own wrappers (`<details>`); never built from what people wrote. */
export function html(value: string): Html {
  return { type: 'html', value };
}

export function paragraph(...children: PhrasingContent[]): Paragraph {
  return { type: 'paragraph', children };
}

export function heading(depth: 1 | 2 | 3 | 4 | 5 | 6, ...children: PhrasingContent[]): Heading {
  return { type: 'heading', depth, children };
}

/** A bullet list, tight unless an item holds a code block; `checked` on an item makes it a task. */
export function list(items: ListItem[]): List {
  // Loose (blank lines between items) when an item holds a code block, so that its
  // closing fence is not followed straight by the next item (MD031).
  return { type: 'list', ordered: false, spread: items.some((item) => item.spread), children: items };
}

export function listItem(children: BlockContent[], checked?: boolean): ListItem {
  // An item holding a code block has blank lines between its blocks: a fence straight
  // after the item's first line is valid Markdown, but linters want it set apart (MD031).
  const item: ListItem = { type: 'listItem', spread: children.some(holdsCode), children };
  if (checked !== undefined) item.checked = checked;
  return item;
}

/** A code block, or a quote or list with one inside. */
function holdsCode(node: BlockContent | ListItem): boolean {
  if (node.type === 'code') return true;
  if (node.type === 'blockquote' || node.type === 'list' || node.type === 'listItem') return (node.children as Array<BlockContent | ListItem>).some(holdsCode);
  return false;
}

export function table(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<PhrasingContent[]>>): Table {
  const cell = (children: PhrasingContent[]): TableCell => ({ type: 'tableCell', children });
  return {
    type: 'table',
    align: header.map(() => null),
    children: [
      { type: 'tableRow', children: header.map((label) => cell([text(label)])) },
      ...rows.map((row) => ({ type: 'tableRow' as const, children: row.map(cell) })),
    ],
  };
}

/**
 * A visible prompt for the author, `**TODO:** _…_`, optionally ending with the command
 * that records the missing fact: bold so it stands out, and worded as a question or
 * an instruction so nobody takes it for what happened. The command stays inside the
 * emphasis so the closing marker never follows a space (which would leave a stray `_`).
 */
export function todo(prompt: string, command?: string): PhrasingContent[] {
  const value = prompt.trim();
  return [
    strong(text('TODO:')),
    text(' '),
    command === undefined ? emphasis(text(value)) : emphasis(text(`${value} `), inlineCode(command)),
  ];
}

/**
 * Serialises the tree as GFM. A tidied copy is serialised: adjacent text nodes are
 * merged and every text and code value defused, so a broadcast token cannot be
 * assembled from pieces that were harmless on their own ("<" + "!channel>").
 */
export function serialize(tree: Root): string {
  return serializeOwned(structuredClone(tree));
}

/**
 * `serialize` for a tree nobody else holds (a draft built for this one call):
 * tidied in place instead of copied first, which spares a copy of every node.
 */
export function serializeOwned(tree: Root): string {
  tidyNode(tree);
  return toMarkdown(tree, {
    // Columns padded to the width a monospace reader sees (wide and combining characters,
    // emoji), as Markdown linters measure it, so a table stays aligned whatever names hold.
    extensions: [gfmToMarkdown({ stringLength: cellWidth })],
    bullet: '-',
    emphasis: '_',
    strong: '*',
    rule: '-',
    listItemIndent: 'one',
    fences: true,
    handlers: { text: escapeText, link: plainLink },
  });
}

/** Serialises loose nodes, for tests and for callers that want a fragment. */
export function serializeBlocks(blocks: BlockContent[]): string {
  return serialize({ type: 'root', children: blocks });
}

/*
 * Escaping a text node is most of the serialiser's work: its `safe` tries each of
 * the ~90 "unsafe" patterns (every Markdown construct that a character could start
 * in some context) against the text, checking each pattern's scope and running its
 * regular expression, for every text node. Every one of those expressions contains
 * its pattern's character literally, so a pattern whose character does not occur in
 * the text (with the characters either side of it) cannot match. The text handler
 * below hands `safe` only the patterns that can, in their original order, and then
 * lets the serialiser's own text handler do exactly what it always does: the output
 * is the same, byte for byte, for a fraction of the work.
 */

interface PatternIndex {
  /** Per ASCII code: 0, or 1 + the number of the bit that stands for that character. */
  bits: Uint8Array;
  /** A pattern character outside ASCII or longer than one code unit, or too many characters: every pattern is kept. */
  exotic: boolean;
  /** The patterns that can match, by which pattern characters are present (two 30-bit words, low then high). */
  bySet: Map<number, Map<number, Unsafe[]>>;
  subsets: number;
}

const WORD_BITS = 30;
const patternIndexes = new WeakMap<Unsafe[], PatternIndex>();

function patternIndex(unsafe: Unsafe[]): PatternIndex {
  let index = patternIndexes.get(unsafe);
  if (!index) {
    const bits = new Uint8Array(128);
    let next = 0;
    let exotic = false;
    for (const { character } of unsafe) {
      const code = character.charCodeAt(0);
      if (character.length !== 1 || code >= 128) exotic = true;
      else if (bits[code] === 0) bits[code] = ++next;
    }
    index = { bits, exotic: exotic || next > 2 * WORD_BITS, bySet: new Map(), subsets: 0 };
    patternIndexes.set(unsafe, index);
  }
  return index;
}

function hasBit(low: number, high: number, n: number): boolean {
  if (n === 0) return false;
  return n <= WORD_BITS ? (low & (1 << (n - 1))) !== 0 : (high & (1 << (n - 1 - WORD_BITS))) !== 0;
}

/** Adds to `mask` (two words) the bits of the pattern characters in `value`. */
function markCharacters(bits: Uint8Array, value: string, mask: [number, number]): void {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const n = code < 128 ? (bits[code] ?? 0) : 0;
    if (n === 0) continue;
    if (n <= WORD_BITS) mask[0] |= 1 << (n - 1);
    else mask[1] |= 1 << (n - 1 - WORD_BITS);
  }
}

const mask: [number, number] = [0, 0];

/**
 * Printable ASCII is one column a character; anything else is measured properly. A few
 * characters (U+FFF9, an interlinear annotation anchor) make string-width throw: then
 * the column is merely padded by length, which no reader can tell from aligned.
 */
function cellWidth(value: string): number {
  if (/^[\x20-\x7e]*$/.test(value)) return value.length;
  try {
    return stringWidth(value);
  } catch {
    return value.length;
  }
}

/**
 * A URL with nothing in it that Markdown could read as syntax (no brackets, spaces,
 * angle brackets, backslashes, backticks, and no `&` that could start an entity).
 * Slack permalinks, which a big draft has thousands of, are all like this.
 */
const PLAIN_URL = /^https?:\/\/[\w.-]+(?:\/[\w.~%/-]*)?(?:\?[\w.~%=-]*(?:&[\w.~%-]*=[\w.~%-]*)*)?$/;

/**
 * The serialiser's link handler runs `safe` over every URL, most of a permalink's cost
 * (a big draft has thousands); a plain URL needs no escaping, so it is written as it is.
 */
const plainLink: Handle = (node, parent, state, info) => {
  const link = node as Link;
  // Only the draft's own time links (`[**16:04 UTC**](permalink)`) take the short way, so every
  // link someone wrote is written exactly as the serialiser writes it (autolinks included).
  const own = link.children.length === 1 && link.children[0]?.type === 'strong';
  if (!own || link.title || !PLAIN_URL.test(link.url)) return defaultHandlers.link(link, parent, state, info);
  const exit = state.enter('link');
  const label = state.enter('label');
  const tracker = state.createTracker(info);
  let value = tracker.move('[');
  value += tracker.move(state.containerPhrasing(link, { before: value, after: '](', ...tracker.current() }));
  value += tracker.move('](');
  label();
  value += tracker.move(`${link.url})`);
  exit();
  return value;
};

const escapeText: Handle = (node, parent, state, info) => {
  const all = state.unsafe;
  const index = patternIndex(all);
  let possible = all;
  if (!index.exotic) {
    // What `safe` will look at: the text with the characters either side of it.
    mask[0] = 0;
    mask[1] = 0;
    markCharacters(index.bits, info.before || '', mask);
    markCharacters(index.bits, (node as Text).value || '', mask);
    markCharacters(index.bits, info.after || '', mask);
    const [low, high] = mask;
    let byHigh = index.bySet.get(low);
    if (!byHigh) {
      byHigh = new Map();
      index.bySet.set(low, byHigh);
    }
    let subset = byHigh.get(high);
    if (!subset) {
      subset = all.filter((pattern) => hasBit(low, high, index.bits[pattern.character.charCodeAt(0)] ?? 0));
      byHigh.set(high, subset);
      // Each distinct set of characters adds an entry; a pathological text cannot grow it without bound.
      index.subsets += 1;
      if (index.subsets > 4096) {
        index.bySet.clear();
        index.subsets = 0;
      }
    }
    possible = subset;
  }
  state.unsafe = possible;
  try {
    return defaultHandlers.text(node as Text, parent, state, info);
  } finally {
    state.unsafe = all;
  }
};

/** Whether a text is empty or follows another text (so that it would be dropped or merged). */
function needsTidying(children: readonly Nodes[]): boolean {
  for (let i = 0; i < children.length; i++) {
    const child = children[i];
    if (child?.type === 'text' && (child.value === '' || children[i - 1]?.type === 'text')) return true;
  }
  return false;
}

function tidyNode(node: Nodes): void {
  if (node.type === 'text' || node.type === 'inlineCode' || node.type === 'code') {
    // A tab renders as a few spaces anyway; written as one it trips Markdown linters (MD010).
    // `<!--` gets an invisible word joiner: escaped, it is text to a Markdown parser, but
    // linters read comments by pattern, and a message must not switch a rule off
    // (`<!-- markdownlint-disable -->`) or hide the rest of the document from them.
    // U+FFF9–FFFB (interlinear annotation marks, invisible, never typed on purpose) crash
    // string-width, and with it every table aligner and markdownlint: they are dropped.
    node.value = defuseBroadcastText(node.value).replace(/\t/g, '    ').replace(/<!--/g, '<!\u2060--').replace(/[\ufff9-\ufffb]/g, '');
    return;
  }
  if (!('children' in node)) return;
  let children = node.children as Nodes[];
  // Most nodes have nothing to merge or drop; only those get a new list of children.
  if (needsTidying(children)) {
    const tidied: Nodes[] = [];
    for (const child of children) {
      const last = tidied.at(-1);
      if (child.type === 'text' && last?.type === 'text') last.value += child.value;
      else if (child.type !== 'text' || child.value !== '') tidied.push(child);
    }
    children = tidied;
    (node as Parent).children = children as Parent['children'];
  }
  for (const child of children) tidyNode(child);
}
