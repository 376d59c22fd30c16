import type { Message } from '../core/model.js';

/**
 * Who was mentioned where (migration 0020). Rows are written by `MessageStore.append` and
 * `editOwn` in the message's own transaction and go with their message (ON DELETE CASCADE);
 * the application decides whom a message mentions (app/mentions.ts).
 */
export interface MentionStore {
  /**
   * The messages that mention the user, newest first (by message id), at most `limit`, only
   * those with an id below `beforeId` when it is given (keyset paging). The caller leaves out
   * rooms the user may no longer read.
   */
  list(userId: number, query: { readonly beforeId?: number; readonly limit: number }): Promise<Message[]>;
  /**
   * Per room, how many mentions of the user lie above their read position (the reading row's
   * `last_read`, 0 without one). Rooms without such mentions are absent.
   */
  unreadCounts(userId: number): Promise<Map<number, number>>;
}
