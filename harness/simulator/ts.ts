// Slack message timestamps: "<seconds>.<6 digits>". A ts is a message's
// identity, so the simulator must never hand out the same one twice, even when
// two posts land in the same millisecond or a test pins the clock. The clock
// below bumps by one microsecond whenever the wall clock has not moved on.

const MICROS_PER_SECOND = 1_000_000;

export function formatTs(micros: number): string {
  const seconds = Math.floor(micros / MICROS_PER_SECOND);
  const fraction = micros % MICROS_PER_SECOND;
  return `${seconds}.${String(fraction).padStart(6, '0')}`;
}

/** Microseconds since the epoch; NaN when the string is not a Slack ts. */
export function parseTs(ts: string): number {
  const match = /^(\d+)\.(\d{6})$/.exec(ts);
  if (!match) return Number.NaN;
  return Number(match[1]) * MICROS_PER_SECOND + Number(match[2]);
}

export function compareTs(a: string, b: string): number {
  return parseTs(a) - parseTs(b);
}

export class TsClock {
  private lastMicros = 0;

  constructor(private readonly now: () => number) {}

  /** A fresh ts, strictly after every ts this clock has issued or observed. */
  next(): string {
    let micros = Math.floor(this.now() * 1000);
    if (micros <= this.lastMicros) micros = this.lastMicros + 1;
    this.lastMicros = micros;
    return formatTs(micros);
  }

  /** Keeps later ts strictly after one that was chosen elsewhere (e.g. by a test). */
  observe(ts: string): void {
    const micros = parseTs(ts);
    if (micros > this.lastMicros) this.lastMicros = micros;
  }
}
