// The limits Slack enforces on what an app sends, so that a message or modal
// Slack would refuse fails here too instead of first failing in production.
// Only the limits an incident bot is likely to hit are checked; the error
// strings and `[ERROR] ... [json-pointer:...]` messages mimic Slack's.

export const MAX_CHANNEL_NAME_LENGTH = 80;
export const MAX_MESSAGE_TEXT_LENGTH = 40_000;
const MAX_MESSAGE_BLOCKS = 50;
const MAX_VIEW_BLOCKS = 100;

/** Slack's error code for a channel name it would refuse, or undefined. */
export function channelNameError(name: string): string | undefined {
  if (name.length === 0) return 'invalid_name_required';
  if (name.length > MAX_CHANNEL_NAME_LENGTH) return 'invalid_name_maxlength';
  if (!/^[a-z0-9_-]+$/.test(name)) return 'invalid_name_specials';
  if (!/[a-z0-9]/.test(name)) return 'invalid_name_punctuation';
  return undefined;
}

const BLOCK_TYPES = new Set([
  'actions',
  'context',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'markdown',
  'rich_text',
  'section',
  'video',
]);

type Problems = string[];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkText(
  problems: Problems,
  value: unknown,
  pointer: string,
  { max, plainOnly = false, required = true }: { max: number; plainOnly?: boolean; required?: boolean },
): void {
  if (value === undefined) {
    if (required) problems.push(`[ERROR] missing required field: text [json-pointer:${pointer}]`);
    return;
  }
  if (!isObject(value) || typeof value.text !== 'string') {
    problems.push(`[ERROR] must be a text object [json-pointer:${pointer}]`);
    return;
  }
  if (value.type !== 'plain_text' && (plainOnly || value.type !== 'mrkdwn')) {
    problems.push(`[ERROR] must be ${plainOnly ? 'plain_text' : 'plain_text or mrkdwn'} [json-pointer:${pointer}/type]`);
  }
  if (value.text.length === 0) problems.push(`[ERROR] must be more than 0 characters [json-pointer:${pointer}/text]`);
  if (value.text.length > max) problems.push(`[ERROR] must be less than ${max + 1} characters [json-pointer:${pointer}/text]`);
}

function checkBlock(problems: Problems, block: unknown, pointer: string, blockIds: Set<string>): void {
  if (!isObject(block) || typeof block.type !== 'string') {
    problems.push(`[ERROR] missing required field: type [json-pointer:${pointer}]`);
    return;
  }
  if (!BLOCK_TYPES.has(block.type)) {
    problems.push(`[ERROR] unsupported type: ${block.type} [json-pointer:${pointer}/type]`);
    return;
  }
  if (block.block_id !== undefined) {
    const id = String(block.block_id);
    if (blockIds.has(id)) problems.push(`[ERROR] duplicate block_id: ${id} [json-pointer:${pointer}/block_id]`);
    if (id.length > 255) problems.push(`[ERROR] must be less than 256 characters [json-pointer:${pointer}/block_id]`);
    blockIds.add(id);
  }
  switch (block.type) {
    case 'section': {
      const fields = block.fields;
      if (block.text === undefined && fields === undefined) {
        problems.push(`[ERROR] must provide either text or fields [json-pointer:${pointer}]`);
      }
      if (block.text !== undefined) checkText(problems, block.text, `${pointer}/text`, { max: 3000 });
      if (fields !== undefined) {
        if (!Array.isArray(fields) || fields.length > 10) {
          problems.push(`[ERROR] no more than 10 items allowed [json-pointer:${pointer}/fields]`);
        } else {
          fields.forEach((field, i) => checkText(problems, field, `${pointer}/fields/${i}`, { max: 2000 }));
        }
      }
      break;
    }
    case 'header':
      checkText(problems, block.text, `${pointer}/text`, { max: 150, plainOnly: true });
      break;
    case 'context':
      if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 10) {
        problems.push(`[ERROR] must have between 1 and 10 elements [json-pointer:${pointer}/elements]`);
      }
      break;
    case 'actions':
      if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 25) {
        problems.push(`[ERROR] must have between 1 and 25 elements [json-pointer:${pointer}/elements]`);
      }
      break;
    case 'input':
      checkText(problems, block.label, `${pointer}/label`, { max: 2000, plainOnly: true });
      if (!isObject(block.element)) problems.push(`[ERROR] missing required field: element [json-pointer:${pointer}]`);
      break;
    default:
      break;
  }
}

function checkBlocks(problems: Problems, blocks: unknown, pointer: string, max: number): void {
  if (!Array.isArray(blocks)) {
    problems.push(`[ERROR] must be an array [json-pointer:${pointer}]`);
    return;
  }
  if (blocks.length > max) problems.push(`[ERROR] no more than ${max} items allowed [json-pointer:${pointer}]`);
  const blockIds = new Set<string>();
  blocks.forEach((block, i) => checkBlock(problems, block, `${pointer}/${i}`, blockIds));
}

/** Slack's messages for blocks it would refuse in a message; empty when fine. */
export function messageBlocksProblems(blocks: unknown): string[] {
  const problems: Problems = [];
  checkBlocks(problems, blocks, '/blocks', MAX_MESSAGE_BLOCKS);
  return problems;
}

/** Slack's messages for a modal or home tab it would refuse; empty when fine. */
export function viewProblems(view: unknown, expectedType: 'modal' | 'home'): string[] {
  const problems: Problems = [];
  if (!isObject(view)) return ['[ERROR] must be an object [json-pointer:/view]'];
  if (view.type !== expectedType) {
    problems.push(`[ERROR] must be ${expectedType} [json-pointer:/view/type]`);
  }
  if (expectedType === 'modal') {
    checkText(problems, view.title, '/view/title', { max: 24, plainOnly: true });
    checkText(problems, view.submit, '/view/submit', { max: 24, plainOnly: true, required: false });
    checkText(problems, view.close, '/view/close', { max: 24, plainOnly: true, required: false });
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObject(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) {
      problems.push('[ERROR] submit is required when an input block is present [json-pointer:/view/submit]');
    }
  }
  checkBlocks(problems, view.blocks, '/view/blocks', MAX_VIEW_BLOCKS);
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255) {
    problems.push('[ERROR] must be less than 256 characters [json-pointer:/view/callback_id]');
  }
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) {
    problems.push('[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]');
  }
  return problems;
}
