/**
 * A size as people read it, 1 KB = 1024 bytes as maxFileSizeKB counts: 1258291 → "1.2 MB",
 * 20000 KB → "19.5 MB" (one decimal below 100, none above).
 */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = value < 100 ? String(Math.round(value * 10) / 10) : String(Math.round(value));
  return `${shown} ${units[unit]}`;
}
