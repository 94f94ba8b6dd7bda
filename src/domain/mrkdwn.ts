// Slack mrkdwn (as Slack sends it: `&`, `<`, `>` entity-encoded, specials in
// angle brackets) into mdast nodes, plain text, or defused mrkdwn for reposting.
//
// slack-message-parser does the tokenising (it gets Slack's flanking rules for
// *bold*/_italic_/~strike~, quotes and the angle-bracket specials right); this
// module decides what each token means here. Entities are decoded after
// tokenising, exactly once, so `&amp;lt;` is the text `&lt;` and a decoded `<`
// can never start a token.

import { honestLinkLabel } from './links.js';
import type { BlockContent, Blockquote, Code, DefinitionContent, PhrasingContent } from 'mdast';
import { parse, NodeType } from 'slack-message-parser';
import type { Node as SlackNode } from 'slack-message-parser';
import { BROADCAST_START, broadcastWord, defuseBroadcastText, emphasis, spellOutBroadcasts, inlineCode, paragraph, strong, text } from './markdown.js';
import { formatDateTime } from './time.js';

/** Slack user id → display name. */
export type Names = Readonly<Record<string, string>>;

export interface PhrasingOptions {
  /** Join lines and blocks with spaces instead of hard breaks (table cells, one-line summaries). */
  singleLine?: boolean;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text SQLite can store as UTF-8 and give back unchanged: a lone surrogate becomes U+FFFD. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/** A Slack user id as it appears in a mention (`U…`, or `W…` on Enterprise Grid). */
export const USER_ID_PATTERN = '[UW][A-Z0-9_]+';

const MENTIONS = new RegExp(`<@(${USER_ID_PATTERN})(?:\\|[^>]*)?>`, 'g');

/** The user ids that `<@U…>` mentions in a message name, in order, repeats included. */
export function mentionedUserIds(mrkdwn: string): string[] {
  if (!mrkdwn.includes('<@')) return [];
  return [...mrkdwn.matchAll(MENTIONS)].map((match) => match[1] ?? '');
}

/** Decodes the three entities Slack encodes, in one pass, so nothing is decoded twice. */
export function decodeEntities(value: string): string {
  return value.replace(/&(amp|lt|gt);/g, (_match, entity: string) =>
    entity === 'amp' ? '&' : entity === 'lt' ? '<' : '>',
  );
}

/**
 * Text typed into a slash command, as the person typed it: Slack's `<…>` entities
 * (sent when "escape channels, users, and links" is on) become what they read as,
 * `@bob`, `#ops`, `@here`, a link's label, and `&amp;` and friends are decoded.
 * Formatting characters (`*bold*`) are kept as typed: this is not a rendering.
 */
export function typedText(mrkdwn: string): string {
  const plain = mrkdwn.replace(/<([^<>]*)>/g, (_match, inner: string) => {
    const [target = '', label] = inner.split('|', 2) as [string, string | undefined];
    if (target.startsWith('@')) return handle(label ?? '', target.slice(1));
    if (target.startsWith('#')) return `#${(label ?? '') || target.slice(1)}`;
    if (target.startsWith('!subteam^')) return handle(label ?? '', target.slice('!subteam^'.length));
    if (target.startsWith('!')) return `@${target.slice(1).split('^')[0] ?? ''}`;
    return label || target;
  });
  return decodeEntities(plain);
}

/** Encodes text so Slack shows it literally (no mentions, links or broadcasts). */
export function escapeMrkdwn(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Someone's mrkdwn, ready for sitrep to post again: broadcasts neutralised (below),
 * and a link whose label names another address saying where it really goes.
 */
export function forRepost(mrkdwn: string): string {
  return neutralizeBroadcasts(mrkdwn).replace(/<(https?:\/\/[^|<>\s]+)\|([^<>]+)>/gi, (whole, url: string, label: string) => {
    const said = decodeEntities(label);
    const honest = honestLinkLabel(decodeEntities(url), said);
    return honest === said ? whole : `<${url}|${escapeMrkdwn(honest)}>`;
  });
}

/**
 * Mrkdwn that is safe for the bot to repost: `<!channel>`, `<!here>`, `<!everyone>`
 * (and the legacy `<!group>`) become the words `@channel`…, `<!subteam^S1|@sre>`
 * becomes `@sre`, and any other `<!` that could start one is entity-encoded.
 * Everything else (user mentions, links, formatting) is kept.
 * The words are plain text: they ping no one as long as the message is not sent
 * with `link_names: true`.
 */
export function neutralizeBroadcasts(mrkdwn: string): string {
  return spellOutBroadcasts(mrkdwn)
    .replace(/<!subteam\^([^|<>]*)(?:\|([^<>]*))?>/gi, (_m, id: string, label: string | undefined) =>
      handle(label ?? '', id),
    )
    .replace(BROADCAST_START, '&lt;!');
}

/** Block-level Markdown for a message: paragraphs (lines kept as hard breaks), code blocks, quotes. */
export function mrkdwnToMdast(mrkdwn: string, names: Names): BlockContent[] {
  return toBlocks(tokenize(mrkdwn), names);
}

/** Inline Markdown for a message, for use inside a list item or a sentence. */
export function mrkdwnToPhrasing(mrkdwn: string, names: Names, options: PhrasingOptions = {}): PhrasingContent[] {
  const separator = (): PhrasingContent => (options.singleLine ? text(' ') : { type: 'break' });
  return joinPhrasing(flattenBlocks(mrkdwnToMdast(mrkdwn, names), options.singleLine ?? false), separator);
}

/**
 * The text a reader would see, decoded, without formatting: mentions as `@Name`,
 * links as `label (url)`. Newlines are kept. To post it to Slack, pass it through
 * `escapeMrkdwn` first.
 */
export function mrkdwnToPlainText(mrkdwn: string, names: Names): string {
  return defuseBroadcastText(tokenize(mrkdwn).map((node) => plain(node, names)).join(''));
}

// --- tokenising -------------------------------------------------------------

/*
 * A postmortem draft reads each marked message more than once (the timeline, then
 * the detection, cause or mitigation quotes, then the follow-ups), and tokenising is
 * the costly part of reading it. While `withTokenCache` runs, each distinct text is
 * tokenised once. Token trees are only ever read, never changed, so sharing them is safe.
 */
let tokenCache: Map<string, SlackNode[]> | null = null;

/** Runs `work` with the tokens of every text it reads kept until it returns. */
export function withTokenCache<T>(work: () => T): T {
  if (tokenCache) return work();
  tokenCache = new Map();
  try {
    return work();
  } finally {
    tokenCache = null;
  }
}

function tokenize(mrkdwn: string): SlackNode[] {
  // Plain text (most of what people type) is one text token: the parser is not needed to say so.
  if (!mayHaveMarkup(mrkdwn)) return mrkdwn === '' ? [] : [plainTextNode(mrkdwn)];
  const cached = tokenCache?.get(mrkdwn);
  if (cached) return cached;
  const tokens = tokenizeText(mrkdwn);
  tokenCache?.set(mrkdwn, tokens);
  return tokens;
}

/*
 * Every construct slack-message-parser knows has two delimiters, and without them it
 * cannot match: *bold*, _italic_ and ~strike~ close on the same line, `code` and
 * ```pre``` need two backticks, an :emoji: two colons around a word, a <link> an angle
 * bracket pair with something in it, a quote an `&gt;`. Text with none of these is
 * one text token, exactly what the parser (which tries every construct at every
 * character) would return. test/domain/mrkdwn-plain.test.ts checks the claim
 * against the parser itself.
 */
const MARKUP = /\*[^\n]*\*|_[^\n]*_|~[^\n]*~|`[^]*`|&gt;|:[^\s:]+:|<[^\s<>][^<>]*>/;

/** False only when the text cannot hold any mrkdwn construct (see MARKUP). */
export function mayHaveMarkup(mrkdwn: string): boolean {
  return MARKUP.test(mrkdwn);
}

function tokenizeText(mrkdwn: string): SlackNode[] {
  try {
    return parse(mrkdwn).children;
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    // The parser recurses once per quoted line, so thousands of `>` lines overflow
    // the stack. Line by line it cannot; only a code block spanning lines is lost.
    return mrkdwn.split('\n').flatMap((line, index) => [
      ...(index > 0 ? [plainTextNode('\n')] : []),
      ...parse(line).children,
    ]);
  }
}

function plainTextNode(value: string): SlackNode {
  return { type: NodeType.Text, text: value, source: value };
}

// --- shared meanings --------------------------------------------------------

function nameOf(userId: string, names: Names): string | undefined {
  return Object.hasOwn(names, userId) ? names[userId] : undefined;
}

function handle(label: string, fallback: string): string {
  const value = label.trim() || fallback;
  return value.startsWith('@') ? value : `@${value}`;
}

function labelText(label: SlackNode[] | undefined, names: Names): string {
  return label ? label.map((node) => plain(node, names)).join('').trim() : '';
}

/** What a mention, channel, special command or emoji reads as. */
function specialText(node: SlackNode, names: Names): string | null {
  switch (node.type) {
    case NodeType.UserLink:
      if (!node.userID) return decodeEntities(node.source);
      return `@${nameOf(node.userID, names) ?? (labelText(node.label, names) || node.userID)}`;
    case NodeType.ChannelLink:
      if (!node.channelID) return decodeEntities(node.source);
      return `#${labelText(node.label, names).replace(/^#/, '') || node.channelID}`;
    case NodeType.Command:
      return commandText(node.name, node.arguments, labelText(node.label, names));
    case NodeType.Emoji:
      return decodeEntities(node.source);
    default:
      return null;
  }
}

function commandText(name: string, args: string[], label: string): string {
  const lower = name.toLowerCase();
  if (['channel', 'here', 'everyone', 'group'].includes(lower)) return `@${broadcastWord(lower)}`;
  if (lower === 'subteam') return handle(label, decodeEntities(args[0] ?? 'group'));
  if (lower === 'date') return label || dateFallback(args[0]);
  return label || `@${decodeEntities(name)}`;
}

/** Slack requires a fallback for `<!date>`; when one is missing, say the instant in UTC. */
function dateFallback(epochSeconds: string | undefined): string {
  const seconds = Number(epochSeconds);
  return epochSeconds && /^\d{1,12}$/.test(epochSeconds) ? formatDateTime(seconds * 1000, 'UTC') : 'a date';
}

/** Only web and mail links become links; `javascript:`, `slack:` and the rest stay text. */
function linkTarget(rawUrl: string): string | null {
  const url = decodeEntities(rawUrl).trim();
  // A mail link must name an address: Markdown writes `<mailto:x>` as the autolink `<x>`,
  // which without an @ is read as an HTML tag.
  if (!/^(https?:\/\/[^\s/]|mailto:[^\s@]*@)/i.test(url)) return null;
  // A decoded `<` or `>` has no business in a URL; percent-encoding keeps it out of the output.
  return url.replace(/[\s<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function urlText(url: string): string {
  return url.replace(/^mailto:/i, '');
}

// --- plain text -------------------------------------------------------------

function plain(node: SlackNode, names: Names): string {
  switch (node.type) {
    case NodeType.Text:
    case NodeType.Code:
      return decodeEntities(node.text);
    case NodeType.PreText:
      return trimCodeEdges(decodeEntities(node.text));
    case NodeType.Quote: {
      // The quote marker goes; the line break that ended the quote stays.
      const body = node.children.map((child) => plain(child, names)).join('');
      const lines = body.replace(/\n$/, '').split('\n').map((line) => line.replace(/^ /, ''));
      return lines.join('\n') + (node.source.endsWith('\n') ? '\n' : '');
    }
    case NodeType.Bold:
    case NodeType.Italic:
    case NodeType.Strike:
    case NodeType.Root:
      return node.children.map((child) => plain(child, names)).join('');
    case NodeType.URL: {
      const label = labelText(node.label, names);
      const target = linkTarget(node.url);
      if (!target) return label || decodeEntities(node.url);
      const shown = urlText(target);
      return !label || label === shown || label === target ? shown : `${label} (${shown})`;
    }
    default:
      return specialText(node, names) ?? '';
  }
}

// --- Markdown ---------------------------------------------------------------

const NEWLINE = Symbol('newline');
type Piece = PhrasingContent | typeof NEWLINE;

function toBlocks(nodes: SlackNode[], names: Names): BlockContent[] {
  const blocks: BlockContent[] = [];
  let pieces: Piece[] = [];
  let quoteOpen = false;

  const flush = (): void => {
    const paragraphs = paragraphsOf(pieces);
    if (paragraphs.length > 0) quoteOpen = false;
    blocks.push(...paragraphs);
    pieces = [];
  };

  for (const node of nodes) {
    if (node.type === NodeType.PreText) {
      flush();
      blocks.push(codeBlock(node.text));
      quoteOpen = false;
    } else if (node.type === NodeType.Quote) {
      flush();
      const inner = toBlocks(node.children, names);
      const last = blocks.at(-1);
      if (inner.length === 0) continue;
      // Quote lines separated only by line breaks are one quote.
      if (quoteOpen && last?.type === 'blockquote') last.children.push(...inner);
      else blocks.push(blockquote(inner));
      quoteOpen = true;
    } else if (node.type === NodeType.Text) {
      decodeEntities(node.text)
        .split('\n')
        .forEach((segment, index) => {
          if (index > 0) pieces.push(NEWLINE);
          if (segment) pieces.push(text(segment));
        });
    } else {
      pieces.push(...inline(node, names));
    }
  }
  flush();
  return blocks;
}

function blockquote(children: BlockContent[]): Blockquote {
  return { type: 'blockquote', children };
}

function codeBlock(raw: string): Code {
  const value = trimCodeEdges(decodeEntities(raw));
  // `text`: Slack's code blocks name no language, and Markdown linters want one (MD040).
  return { type: 'code', lang: 'text', meta: null, value: defuseBroadcastText(value) };
}

/** Slack keeps the newlines just inside the fences; Markdown's fences already imply them. */
function trimCodeEdges(value: string): string {
  return value.replace(/^[ \t]*\n/, '').replace(/\n[ \t]*$/, '');
}

/** Lines become hard breaks; blank lines separate paragraphs; line-edge whitespace goes. */
function paragraphsOf(pieces: Piece[]): BlockContent[] {
  const lines: PhrasingContent[][] = [[]];
  for (const piece of pieces) {
    if (piece === NEWLINE) lines.push([]);
    else lines.at(-1)?.push(piece);
  }
  const paragraphs: PhrasingContent[][][] = [];
  let current: PhrasingContent[][] = [];
  for (const line of lines.map(trimLine)) {
    if (line.length === 0) {
      if (current.length > 0) paragraphs.push(current);
      current = [];
    } else {
      current.push(line);
    }
  }
  if (current.length > 0) paragraphs.push(current);
  return paragraphs.map((lines) => paragraph(...joinPhrasing(lines, () => ({ type: 'break' }))));
}

function trimLine(line: PhrasingContent[]): PhrasingContent[] {
  const out = [...line];
  const first = out[0];
  if (first?.type === 'text') out[0] = { ...first, value: first.value.trimStart() };
  const lastIndex = out.length - 1;
  const last = out[lastIndex];
  if (last?.type === 'text') out[lastIndex] = { ...last, value: last.value.trimEnd() };
  return out.filter((node) => node.type !== 'text' || node.value !== '');
}

function joinPhrasing(groups: PhrasingContent[][], separator: () => PhrasingContent): PhrasingContent[] {
  return groups.flatMap((group, index) => (index > 0 ? [separator(), ...group] : group));
}

/** Blocks to lines of phrasing: code blocks become inline code, quotes give up their marker. */
function flattenBlocks(blocks: Array<BlockContent | DefinitionContent>, singleLine: boolean): PhrasingContent[][] {
  return blocks.flatMap((block): PhrasingContent[][] => {
    switch (block.type) {
      case 'paragraph':
        return [
          singleLine
            ? block.children.map((child) => (child.type === 'break' ? text(' ') : child))
            : block.children,
        ];
      case 'code':
        return [[codeSpan(block.value.replace(/\s*\n\s*/g, ' '))]];
      case 'blockquote':
        return flattenBlocks(block.children, singleLine);
      default:
        return [];
    }
  });
}

/** Phrasing for a node inside a line: newlines here (link labels, inline code) become spaces. */
function inline(node: SlackNode, names: Names): PhrasingContent[] {
  const children = (nodes: SlackNode[]): PhrasingContent[] => nodes.flatMap((child) => inline(child, names));
  switch (node.type) {
    case NodeType.Text:
      return [text(oneLine(decodeEntities(node.text)))];
    case NodeType.Code:
    case NodeType.PreText:
      return [codeSpan(oneLine(decodeEntities(node.text)))];
    case NodeType.Bold:
      return wrap(children(node.children), (c) => strong(...c));
    case NodeType.Italic:
      return wrap(children(node.children), (c) => emphasis(...c));
    case NodeType.Strike:
      return wrap(children(node.children), (c) => ({ type: 'delete', children: c }));
    case NodeType.Quote:
    case NodeType.Root:
      return children(node.children);
    case NodeType.URL: {
      const label = node.label ? children(node.label) : [];
      const target = linkTarget(node.url);
      if (!target) return label.length > 0 ? label : [text(oneLine(decodeEntities(node.url)))];
      if (label.length === 0) return [{ type: 'link', url: target, children: [text(urlText(target))] }];
      // A label that names another address says where the link really goes.
      const said = oneLine(labelText(node.label, names));
      const honest = honestLinkLabel(target, said);
      return [{ type: 'link', url: target, children: honest === said ? label : [text(honest)] }];
    }
    default: {
      const value = specialText(node, names);
      return value ? [text(oneLine(value))] : [];
    }
  }
}

function wrap(children: PhrasingContent[], make: (children: PhrasingContent[]) => PhrasingContent): PhrasingContent[] {
  return children.length > 0 ? [make(children)] : [];
}

/**
 * Inline code without the spaces at its edges, which Markdown renders away anyway and
 * linters flag (MD038); code that is nothing but spaces stays as plain text.
 */
function codeSpan(value: string): PhrasingContent {
  const trimmed = value.trim();
  return trimmed ? inlineCode(trimmed) : text(value);
}

function oneLine(value: string): string {
  return value.replace(/[ \t]*\r?\n[ \t]*/g, ' ');
}
