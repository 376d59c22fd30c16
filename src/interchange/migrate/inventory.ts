import { type RecordSource, recordBatches } from '../source.js';
import type { Inventory } from './types.js';

const DAY_MS = 86_400_000;

/** One pass over the source: counts per kind, the oldest and newest message, and the recent ones. */
export async function takeInventory(source: RecordSource, bytes: number | null, catchUpDays: number): Promise<Inventory> {
  const counts = { categories: 0, rooms: 0, users: 0, groups: 0, addins: 0, policies: 0, messages: 0 };
  for await (const _ of source.records('categories')) counts.categories += 1;
  for await (const _ of source.records('rooms')) counts.rooms += 1;
  for await (const _ of source.records('users')) counts.users += 1;
  for await (const _ of source.records('groups')) counts.groups += 1;
  for await (const _ of source.records('addins')) counts.addins += 1;
  for await (const _ of source.records('policies')) counts.policies += 1;
  // Messages come grouped by room, so the times are collected to count the recent ones after.
  let oldest = Infinity;
  let newest = -Infinity;
  const times: number[] = [];
  let files = 0;
  const contents = new Map<string, number>();
  // In batches, as export and verify read them: the plan times this pass as theirs.
  for await (const batch of recordBatches(source, 'messages')) {
    for (const m of batch) {
      const at = Date.parse(m.at);
      counts.messages += 1;
      if (m.file) {
        files += 1;
        contents.set(m.file.sha256, m.file.size);
      }
      times.push(at);
      if (at < oldest) oldest = at;
      if (at > newest) newest = at;
    }
  }
  const since = newest - catchUpDays * DAY_MS;
  const { system, version, instance } = source.description;
  return {
    system,
    version,
    instance,
    counts,
    bytes,
    oldest: counts.messages ? new Date(oldest).toISOString() : null,
    newest: counts.messages ? new Date(newest).toISOString() : null,
    recentMessages: times.filter((t) => t > since).length,
    files,
    fileBytes: [...contents.values()].reduce((n, b) => n + b, 0),
  };
}
