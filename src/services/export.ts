// The incident's whole record as plain data, for `--format json`.

import { incidentRef } from '../domain/incident.js';
import type { PostmortemInput } from '../domain/timeline.js';

export function incidentExport(input: PostmortemInput) {
  const { incident } = input;
  return {
    id: incidentRef(incident.number),
    incident,
    milestones: incident.milestones,
    events: input.events,
    timeline: input.messages.map((message) => ({
      ...message,
      author: message.userId ? (input.names[message.userId] ?? message.userId) : null,
    })),
    actions: input.actions,
    people: input.names,
  };
}
