const DAY = 86_400_000;
/** The last millisecond of year 9999: beyond it (and before 1970) `toISOString` has other shapes. */
const LAST = 253_402_300_799_999;
const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * `new Date(ms).toISOString()`, several times faster for runs of times on the same day (a room's
 * history): the date part is computed once per day, the time of day from integer arithmetic.
 * Export and verify format one per message, so this is on their hot path.
 */
export class IsoFormatter {
  private day = -1;
  private prefix = '';

  format(ms: number): string {
    if (!(ms >= 0 && ms <= LAST) || !Number.isInteger(ms)) return new Date(ms).toISOString();
    const day = Math.floor(ms / DAY);
    if (day !== this.day) {
      this.day = day;
      this.prefix = new Date(day * DAY).toISOString().slice(0, 11);
    }
    let rest = ms - day * DAY;
    const milli = rest % 1000;
    rest = (rest - milli) / 1000;
    const second = rest % 60;
    rest = (rest - second) / 60;
    const minute = rest % 60;
    const hour = (rest - minute) / 60;
    return `${this.prefix}${TWO[hour]!}:${TWO[minute]!}:${TWO[second]!}.${THREE[milli]!}Z`;
  }
}
