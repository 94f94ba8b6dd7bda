// The incident's whole record as plain data, for `--format json`.

import { incidentRef } from '../domain/incident.js';
import { postmortemFigures, type PostmortemOptions } from '../domain/postmortem.js';
import type { PostmortemInput } from '../domain/timeline.js';

/**
 * The record, and the figures the draft derives from it (impact window, milestones
 * with their offsets, phases, gaps between status updates, severity periods,
 * attempts, suggestions), so other tools need not derive them again.
 */
export function incidentExport(input: PostmortemInput, options: PostmortemOptions = {}) {
  const { incident } = input;
  return {
    id: incidentRef(incident.number),
    incident,
    milestones: incident.milestones,
    figures: postmortemFigures(input, options),
    events: input.events,
    timeline: input.messages.map((message) => ({
      ...message,
      author: message.userId ? (input.names[message.userId] ?? message.userId) : null,
    })),
    actions: input.actions,
    people: input.names,
  };
}
