// Small mdast builders and the one serialiser. User text only ever enters the
// document as text/code node values, so escaping is the serialiser's job and no
// call site can get it wrong.

import type {
  BlockContent,
  Emphasis,
  Heading,
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
import { toMarkdown } from 'mdast-util-to-markdown';
import { gfmToMarkdown } from 'mdast-util-gfm';

/**
 * Slack broadcast tokens written out literally (`&lt;!channel&gt;` in mrkdwn, or a
 * name someone chose) would come back to life if the text were ever posted to Slack
 * again, and a Markdown serialiser only escapes them to `\<!channel>`. Well-formed
 * ones read as what they mean (`@channel`); any other `<!` before a broadcast word
 * gets a word joiner, which nobody sees and Slack does not parse.
 */
export function defuseBroadcastText(value: string): string {
  return value
    .replace(/<!(channel|here|everyone|group)(?:\|[^<>]*)?>/gi, (_m, word: string) => `@${broadcastWord(word)}`)
    .replace(/<!(?=channel|here|everyone|group|subteam)/gi, '<\u2060!');
}

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

export function paragraph(...children: PhrasingContent[]): Paragraph {
  return { type: 'paragraph', children };
}

export function heading(depth: 1 | 2 | 3 | 4 | 5 | 6, ...children: PhrasingContent[]): Heading {
  return { type: 'heading', depth, children };
}

/** A tight bullet list; `checked` on an item makes it a task. */
export function list(items: ListItem[]): List {
  return { type: 'list', ordered: false, spread: false, children: items };
}

export function listItem(children: BlockContent[], checked?: boolean): ListItem {
  const item: ListItem = { type: 'listItem', spread: false, children };
  if (checked !== undefined) item.checked = checked;
  return item;
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
 * A visible prompt for the author, `_TODO: …_`, optionally ending with the command
 * that records the missing fact. The command stays inside the emphasis so the
 * closing marker never follows a space (which would leave a stray `_`).
 */
export function todo(prompt: string, command?: string): Emphasis {
  const value = `TODO: ${prompt.trim()}`;
  return command === undefined ? emphasis(text(value)) : emphasis(text(`${value} `), inlineCode(command));
}

/**
 * Serialises the tree as GFM. A tidied copy is serialised: adjacent text nodes are
 * merged and every text and code value defused, so a broadcast token cannot be
 * assembled from pieces that were harmless on their own ("<" + "!channel>").
 */
export function serialize(tree: Root): string {
  return toMarkdown(tidyTree(tree), {
    extensions: [gfmToMarkdown()],
    bullet: '-',
    emphasis: '_',
    strong: '*',
    rule: '-',
    listItemIndent: 'one',
    fences: true,
  });
}

/** Serialises loose nodes, for tests and for callers that want a fragment. */
export function serializeBlocks(blocks: BlockContent[]): string {
  return serialize({ type: 'root', children: blocks });
}

function tidyTree(tree: Root): Root {
  const copy = structuredClone(tree);
  tidyNode(copy);
  return copy;
}

function tidyNode(node: Nodes): void {
  if (node.type === 'text' || node.type === 'inlineCode' || node.type === 'code') {
    node.value = defuseBroadcastText(node.value);
    return;
  }
  if (!('children' in node)) return;
  const children: Nodes[] = [];
  for (const child of node.children as Nodes[]) {
    const last = children.at(-1);
    if (child.type === 'text' && last?.type === 'text') last.value += child.value;
    else if (child.type !== 'text' || child.value !== '') children.push(child);
  }
  children.forEach(tidyNode);
  (node as Parent).children = children as Parent['children'];
}
