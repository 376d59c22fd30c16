export interface FloodControl {
  /** Lines per second a client may send on average… */
  readonly linesPerSecond: number;
  /** …and in one burst. Beyond, its lines wait (and then its socket stops being read). */
  readonly burst: number;
}

/** A token bucket: `take` resolves at once within the burst, later beyond it. */
export class FloodGate {
  private tokens: number;
  private refilled = Date.now();

  constructor(private readonly flood: FloodControl | false) {
    this.tokens = flood ? flood.burst : 0;
  }

  async take(): Promise<void> {
    const flood = this.flood;
    if (!flood) return;
    const now = Date.now();
    this.tokens = Math.min(flood.burst, this.tokens + ((now - this.refilled) * flood.linesPerSecond) / 1000);
    this.refilled = now;
    if (this.tokens < 1) {
      await new Promise((resolve) => setTimeout(resolve, ((1 - this.tokens) * 1000) / flood.linesPerSecond));
      this.tokens = 1;
      this.refilled = Date.now();
    }
    this.tokens -= 1;
  }
}
