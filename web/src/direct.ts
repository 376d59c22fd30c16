/**
 * The client's list of direct conversations (GET /api/v1/direct): who each is with, its unread
 * count and last message. The server sends every new message of the user's conversations to the
 * open WebSocket, joined or not, and announces new conversations (`direct` frames); the chat model
 * (chat.ts) hands those here. Opening a conversation is entering its room: chat.enter(roomId).
 */
import { api, get } from './api.js';
import type { Conversation, Message } from './types.js';

export class DirectMessages {
  /** Most recent activity first. */
  list: Conversation[] = [];
  loaded = false;

  constructor(private readonly changed: () => void) {}

  async load(): Promise<void> {
    try {
      const { conversations } = await get<{ conversations: Conversation[] }>('/api/v1/direct');
      this.list = conversations;
      this.loaded = true;
    } catch {
      // The sidebar shows none; the next reconnect or message loads again.
    }
    this.changed();
  }

  clear(): void {
    this.list = [];
    this.loaded = false;
  }

  has(roomId: number): boolean {
    return this.list.some((c) => c.roomId === roomId);
  }

  get(roomId: number): Conversation | undefined {
    return this.list.find((c) => c.roomId === roomId);
  }

  /** Who a conversation is with, as its title: the other participants' names. */
  titleOf(roomId: number, myId: number | undefined): string | null {
    const c = this.get(roomId);
    if (!c) return null;
    const others = c.participants.filter((p) => p.id !== myId);
    return (others.length > 0 ? others : c.participants).map((p) => p.displayName).join(', ');
  }

  /** Opens (or finds) the conversation with these people; returns its room id. */
  async open(userIds: readonly number[]): Promise<number> {
    const conversation = await api<Conversation>('POST', '/api/v1/direct', { participants: userIds });
    this.upsert(conversation);
    return conversation.roomId;
  }

  /** A `direct` frame: a conversation was opened with this user (by them or by someone else). */
  upsert(conversation: Conversation): void {
    const rest = this.list.filter((c) => c.roomId !== conversation.roomId);
    this.list = [conversation, ...rest];
    this.changed();
  }

  /**
   * A new message of a conversation. `open`: the conversation is entered in this client, whose
   * room state counts its unread messages itself. Unknown conversations are loaded afresh.
   */
  onMessage(roomId: number, message: Message, mine: boolean, open: boolean): void {
    const c = this.get(roomId);
    if (!c) {
      void this.load();
      return;
    }
    const seq = Math.max(c.lastSeq, message.seq);
    const lastRead = mine ? Math.max(c.lastRead, message.seq) : c.lastRead;
    const updated: Conversation = { ...c, lastMessage: message, lastSeq: seq, lastRead, unread: open ? 0 : Math.max(0, seq - lastRead) };
    this.list = [updated, ...this.list.filter((x) => x.roomId !== roomId)];
    this.changed();
  }

  /** The conversation was read up to `seq` in this client. */
  read(roomId: number, seq: number): void {
    const c = this.get(roomId);
    if (!c || seq <= c.lastRead) return;
    this.list = this.list.map((x) => (x.roomId === roomId ? { ...x, lastRead: seq, unread: Math.max(0, x.lastSeq - seq) } : x));
  }
}
