// Reads Markdown back into a tree, the way a GFM renderer would, so tests check
// structure rather than strings.

import type { Nodes, Root } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';

export function parseMarkdown(markdown: string): Root {
  return fromMarkdown(markdown, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
}

/** Every node in the tree, depth first. */
export function allNodes(node: Nodes): Nodes[] {
  return [node, ...('children' in node ? (node.children as Nodes[]).flatMap(allNodes) : [])];
}

/** The text a node renders, without markup. */
export function textOf(node: Nodes): string {
  if ('value' in node && typeof node.value === 'string') return node.value;
  if ('children' in node) return (node.children as Nodes[]).map(textOf).join('');
  return '';
}

export const BROADCASTS = ['<!channel>', '<!here>', '<!everyone>', '<!subteam^'] as const;

export function containsBroadcast(value: string): boolean {
  const lower = value.toLowerCase();
  return BROADCASTS.some((token) => lower.includes(token)) || lower.includes('<!group>');
}

/** Pieces of Slack markup and Markdown syntax, to build hostile strings from. */
export const HOSTILE_PIECES = [
  ...['<', '>', '@', '#', '!', '|', '*', '_', '~', '`', '&', ';', ':', '/', '\\', '^', '[', ']', '(', ')'],
  ...[' ', '\n', '\n\n', 'a', 'Z', '1', 'U1', 'C1', 'S1', 'é', '🔥'],
  ...['channel', 'here', 'everyone', 'group', 'subteam^', 'subteam^S1|', 'date^1392734382^{date}', '|x'],
  ...['&lt;', '&gt;', '&amp;', '&gt; ', '<!', '&lt;!', 'channel>', 'channel&gt;', 'here&gt;'],
  ...['<!subteam^', '&lt;!subteam^', '&lt;!here&gt;', '<!EVERYONE>', '<!channel|x>'],
  ...['http://', 'https://x.example', 'mailto:', 'javascript:', '```', '# ', '- ', '* ', '1. ', '---', '==='],
  ...['<script>', '</div>', '<!--', '-->'],
];
