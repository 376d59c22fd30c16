import { PchatError } from '../../../core/errors.js';

const HOUR = 3_600_000;

/**
 * Turns a log's wall-clock time (its day and time of day, in the log's time zone) into UTC.
 * Logs are written in the local time of the machine that wrote them, so the zone is an option
 * (an IANA name such as Europe/Berlin; default UTC). Intl resolves the zone's offsets; they are
 * cached per hour of wall time, so a million lines cost a few thousand look-ups.
 */
export class ZoneClock {
  private readonly format: Intl.DateTimeFormat | null;
  private readonly offsets = new Map<number, number>();

  constructor(readonly zone: string) {
    if (zone === 'UTC') {
      this.format = null;
      return;
    }
    try {
      this.format = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new PchatError('invalid_input', `--log-timezone: "${zone}" is not a time zone (use an IANA name such as Europe/Berlin, or UTC)`, { field: '--log-timezone' });
    }
  }

  /** UTC epoch ms of `seconds` after midnight of `day` (days since 1970-01-01), wall time in the zone. */
  utc(day: number, seconds: number): number {
    const wall = day * 86_400_000 + seconds * 1000;
    if (this.format === null) return wall;
    const hour = Math.floor(wall / HOUR);
    let offset = this.offsets.get(hour);
    if (offset === undefined) {
      // The offset at the guess decides; across a change the second look-up settles it.
      const first = this.offsetAt(wall);
      offset = this.offsetAt(wall - first);
      this.offsets.set(hour, offset);
    }
    return wall - offset;
  }

  /** The zone's offset from UTC (ms) at an instant. */
  private offsetAt(utcMs: number): number {
    const parts: Record<string, number> = {};
    for (const p of this.format!.formatToParts(new Date(utcMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
    const asWall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
    return asWall - Math.floor(utcMs / 1000) * 1000;
  }
}
