import type { Origin } from '../../core/model.js';

export interface OriginColumns {
  origin_system: string | null;
  origin_id: string | null;
}

export const originOf = (row: OriginColumns): Origin | null =>
  row.origin_system !== null && row.origin_id !== null ? { system: row.origin_system, id: row.origin_id } : null;

export const originColumns = (origin: Origin | null): [string | null, string | null] =>
  origin ? [origin.system, origin.id] : [null, null];
