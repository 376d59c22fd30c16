import type { Message } from '../../core/model.js';
import type { MessageRecord } from '../archive/records.js';
import { IdHashes } from '../import/idHashes.js';

/** A message's identity as a reply's parent is named on both sides of a verify: `system/id`. */
const identityName = (system: string, id: string): string => `${system}/${id}`;

/**
 * The parent each source message answers, by identity, as the import links it (import/replyLinks.ts):
 * a reply is one when its parent came earlier in its room; a parent without an origin of its own
 * has the identity (source system, its id), which `replyTo` gives directly, and one with an origin
 * (an archive of an earlier migration) is remembered while its room is read, as the bulk import
 * remembers it. One per room: make a new one when the room changes.
 */
export class SourceParents {
  private readonly seen = new IdHashes();
  private readonly identities = new Map<string, string>();

  constructor(private readonly system: string) {}

  /** Called for every message of the room, in order: the identity of the message it answers, or null. */
  parentOf(m: MessageRecord): string | null {
    const parent = m.replyTo !== undefined && m.replyTo !== m.id && this.seen.has(m.replyTo) ? (this.identities.get(m.replyTo) ?? identityName(this.system, m.replyTo)) : null;
    this.seen.add(m.id);
    if (m.origin !== null) this.identities.set(m.id, identityName(m.origin.system, m.origin.id));
    return parent;
  }
}

/**
 * The parent each target message answers, by identity: the store gives a reply's parent by its seq
 * in the room, an earlier message whose own reply count is above zero, so only those are
 * remembered (a parent whose count says it has no reply is named by its seq, and so differs).
 * One per room, fed every message of the room in seq order, those left out of the digest too.
 */
export class TargetParents {
  private readonly bySeq = new Map<number, string>();

  constructor(private readonly nativeSystem: string) {}

  parentOf(m: Message): string | null {
    const seq = m.replyTo?.seq ?? null;
    const parent = seq === null ? null : (this.bySeq.get(seq) ?? `the message of seq ${seq}`);
    if (m.replyCount !== undefined && m.replyCount > 0) this.bySeq.set(m.seq, identityName(m.origin?.system ?? this.nativeSystem, m.origin?.id ?? String(m.id)));
    return parent;
  }
}
