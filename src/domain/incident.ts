// Incidents: their vocabulary (severities, statuses, roles, milestones), their
// names (INC-n, channel names) and the shape every other module agrees on.

export const SEVERITIES = ['sev1', 'sev2', 'sev3', 'sev4'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const DEFAULT_SEVERITY: Severity = 'sev3';

export const STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type Status = (typeof STATUSES)[number];

export const ROLES = ['lead', 'comms', 'scribe'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Milestones in the order an incident usually passes them; all are measured from impact
 * start. *Mitigated*: the harm is contained; *recovered*: the impact is over.
 */
export const MILESTONES = ['impact-started', 'detected', 'identified', 'mitigated', 'recovered'] as const;
export type Milestone = (typeof MILESTONES)[number];

export const MILESTONE_LABELS: Readonly<Record<Milestone, string>> = {
  'impact-started': 'Impact started',
  detected: 'Detected',
  identified: 'Cause identified',
  mitigated: 'Mitigated',
  recovered: 'Recovered',
};

export interface Incident {
  /** The incident's id; shown as INC-<number>. */
  number: number;
  title: string;
  severity: Severity;
  status: Status;
  /** What happened, as given at declare time. */
  summary: string | null;
  /** Who or what was affected, as given at declare time. */
  impact: string | null;
  /** The summary given to `/incident resolve`. */
  resolutionSummary: string | null;
  isPrivate: boolean;
  channelId: string | null;
  channelName: string | null;
  declaredBy: string;
  roles: Partial<Record<Role, string>>;
  /** IANA zone in which the incident's times are shown. */
  timeZone: string;
  declaredAt: number;
  resolvedAt: number | null;
  milestones: Partial<Record<Milestone, number>>;
}

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

export function isStatus(value: string): value is Status {
  return (STATUSES as readonly string[]).includes(value);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function isMilestone(value: string): value is Milestone {
  return (MILESTONES as readonly string[]).includes(value);
}

export function incidentRef(number: number): string {
  return `INC-${number}`;
}

/** Accepts `INC-12`, `inc-12` or `12`; anything else is null. */
export function parseIncidentRef(text: string): number | null {
  const match = /^(?:inc-)?([1-9]\d{0,9})$/i.exec(text.trim());
  return match ? Number(match[1]) : null;
}

export function severityLabel(severity: Severity): string {
  return severity.toUpperCase();
}

export function statusLabel(status: Status): string {
  return status.charAt(0).toUpperCase() + status.slice(1);
}

const MAX_CHANNEL_NAME = 80;

/** Lower-case ASCII words joined by hyphens: what Slack accepts in a channel name. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * `<prefix>-<number>-<slug>`, cut at a word boundary to Slack's 80 characters.
 * `suffix` is appended (and room made for it) when the first name was taken.
 */
export function channelName(prefix: string, number: number, title: string, suffix?: number): string {
  const head = `${slugify(prefix) || 'inc'}-${number}`;
  const tail = suffix === undefined ? '' : `-${suffix}`;
  const room = MAX_CHANNEL_NAME - head.length - tail.length - 1;
  let slug = slugify(title);
  if (slug.length > room) {
    slug = slug.slice(0, room);
    const cut = slug.lastIndexOf('-');
    slug = (cut > room / 2 ? slug.slice(0, cut) : slug).replace(/-+$/, '');
  }
  return slug ? `${head}-${slug}${tail}` : `${head}${tail}`;
}

// --- status changes ------------------------------------------------------------

/** Status changes fill in the milestone they mean, unless someone already set it. */
const STATUS_MILESTONES: Partial<Record<Status, Milestone>> = { identified: 'identified', monitoring: 'mitigated' };

export interface StatusChange {
  status: Status;
  message: string | null;
  at: number;
}

/** What a status change writes on an incident. */
export interface StatusPatch {
  status: Status;
  resolvedAt: number | null;
  /** Set when resolving with a message: the resolution's summary. */
  resolutionSummary?: string;
  /** Milestones the change fills in. */
  milestones: Partial<Record<Milestone, number>>;
}

/**
 * The patch a status change makes. Resolving stamps the resolution (resolving again
 * keeps the first stamp); any other status (re-opening) clears it; `identified` and
 * `monitoring` fill in the identified and mitigated milestones if nobody set them.
 */
export function applyStatus(incident: Pick<Incident, 'status' | 'resolvedAt' | 'milestones'>, change: StatusChange): StatusPatch {
  const resolved = change.status === 'resolved';
  const patch: StatusPatch = {
    status: change.status,
    resolvedAt: resolved ? (incident.status === 'resolved' ? incident.resolvedAt : change.at) : null,
    milestones: {},
  };
  if (resolved && change.message) patch.resolutionSummary = change.message;
  const milestone = STATUS_MILESTONES[change.status];
  if (milestone && incident.milestones[milestone] === undefined) patch.milestones[milestone] = change.at;
  return patch;
}
