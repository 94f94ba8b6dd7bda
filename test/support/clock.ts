// A clock the test moves by hand, shared by the simulator and the app.

export class TestClock {
  constructor(private at: number) {}

  readonly now = (): number => this.at;

  advance(minutes: number): void {
    this.at += minutes * 60_000;
  }

  set(iso: string): void {
    this.at = Date.parse(iso);
  }
}
