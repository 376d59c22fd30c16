import type { RecordSource } from '../source.js';

/** A legacy system pchat reads, selected on the command line as `<kind>:<location>`. */
export interface LegacySource {
  /** What the location is, for --help, e.g. `dir`. */
  readonly location: string;
  readonly description: string;
  open(location: string, options: { startDate: string | null }): Promise<RecordSource>;
}

/** Every legacy source, by the kind its location is prefixed with. */
export const LEGACY_SOURCES: Readonly<Record<string, LegacySource>> = {};
