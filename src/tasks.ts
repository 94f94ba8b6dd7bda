// Work that must not hold up Slack's acknowledgement (opening a channel,
// uploading a draft) runs here: tracked, so shutdown can wait for it, and
// never silently lost, since every failure is logged.

import type { Logger } from './logger.js';

export class Tasks {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /** Starts `work` in the background; a failure is logged with `name`. */
  run(name: string, work: () => Promise<void>): void {
    const task = Promise.resolve()
      .then(work)
      .catch((err: unknown) => this.logger.error({ err, task: name }, `${name} failed`))
      .finally(() => this.running.delete(task));
    this.running.add(task);
  }

  /** Resolves once nothing is running, including work started while waiting. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
