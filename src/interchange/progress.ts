import cliProgress from 'cli-progress';

/**
 * Progress of a long job: a bar with items, rate and ETA on a terminal, and one JSON line per
 * second otherwise (for logs and for tools that drive pchat), both on stderr so stdout stays
 * the command's result.
 */
export class Progress {
  private bar: cliProgress.SingleBar | null = null;
  private done = 0;
  private total = 0;
  private phase = '';
  private started = Date.now();
  private lastLine = 0;

  constructor(
    private readonly mode: 'bar' | 'json' | 'off',
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  static auto(json: boolean, quiet = false): Progress {
    if (quiet) return new Progress('off');
    return new Progress(!json && process.stderr.isTTY ? 'bar' : 'json');
  }

  start(phase: string, total: number): void {
    this.stop();
    this.phase = phase;
    this.total = total;
    this.done = 0;
    this.started = Date.now();
    if (this.mode === 'bar') {
      this.bar = new cliProgress.SingleBar(
        { format: `${phase.padEnd(10)} {bar} {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}`, stream: this.stream, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(Math.max(total, 1), 0, { rate: 0 });
    }
  }

  /** Corrects the expected total of the phase under way (it turned out to cover less). */
  setTotal(total: number): void {
    this.total = total;
    this.bar?.setTotal(Math.max(total, 1));
  }

  add(n = 1): void {
    this.done += n;
    const now = Date.now();
    const rate = Math.round(this.done / Math.max(0.001, (now - this.started) / 1000));
    if (this.bar) this.bar.update(this.done, { rate });
    else if (this.mode === 'json' && now - this.lastLine >= 1000) {
      this.lastLine = now;
      this.line(rate);
    }
  }

  stop(): void {
    if (this.bar) {
      this.bar.update(this.done);
      this.bar.stop();
      this.bar = null;
    } else if (this.mode === 'json' && this.phase) {
      this.line(Math.round(this.done / Math.max(0.001, (Date.now() - this.started) / 1000)), true);
    }
    this.phase = '';
  }

  private line(rate: number, finished = false): void {
    const eta = rate > 0 && this.total > this.done ? Math.round((this.total - this.done) / rate) : 0;
    this.stream.write(`${JSON.stringify({ progress: this.phase, done: this.done, total: this.total, perSecond: rate, etaSeconds: eta, ...(finished ? { finished } : {}) })}\n`);
  }
}
