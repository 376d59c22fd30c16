import { validateEmoji } from '../../core/reactions.js';
import type { MessageRecord, ReactionRecord } from '../archive/records.js';

/**
 * The reactions of a message an import keeps: each emoji pchat accepts (core/reactions.ts: one
 * Unicode emoji, or `:name:`) with the users of the source who reacted with it. What it leaves
 * out is said, one line per message, by the check (a `reaction_dropped` warning): the same rule
 * decides there and in both writers, so the plan says exactly what the writes do.
 */
export function keptReactions(m: MessageRecord, userIds: { has(id: string): boolean }): { kept: ReactionRecord[]; dropped: string[] } {
  const kept: ReactionRecord[] = [];
  const dropped: string[] = [];
  for (const r of m.reactions ?? []) {
    let emoji: string;
    try {
      emoji = validateEmoji(r.emoji);
    } catch {
      dropped.push(`${JSON.stringify(r.emoji)} (not an emoji pchat keeps)`);
      continue;
    }
    const users = [...new Set(r.users)].filter((u) => userIds.has(u));
    if (users.length < r.users.length) dropped.push(`${r.emoji} by ${r.users.filter((u) => !userIds.has(u)).map((u) => `"${u}"`).join(', ')} (not users of the source)`);
    if (users.length > 0) kept.push({ emoji, users });
  }
  return { kept, dropped };
}
