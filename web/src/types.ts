/** The JSON shapes of pchat's HTTP API and WebSocket protocol (see src/protocols/present.ts). */
export interface Principal {
  readonly kind: 'user' | 'group';
  readonly id: number;
  /** A user's login, a group's name. */
  readonly name?: string | null;
  /** Users only, in the server's principal lists: how people know them, and whether the account is disabled. */
  readonly displayName?: string;
  readonly disabled?: boolean;
}
export interface AddIn {
  readonly id: number;
  readonly name: string;
  readonly url: string;
}
export type Privacy = 'open' | 'closed' | 'secret';
export type RoomType = 'normal' | 'auditorium';
export interface Room {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  /** Whether the category takes files (posting one needs both); when absent the server's refusal says so. */
  readonly category: { readonly id: number; readonly name: string; readonly fileUpload?: boolean; readonly chatHistory?: boolean };
  readonly privacy: Privacy;
  readonly type: RoomType;
  readonly invitations: 'inherit' | 'false';
  readonly invitationsEnabled: boolean;
  readonly addin: AddIn | null;
  readonly disabled: boolean;
  readonly members: Principal[];
  readonly managers: Principal[];
  readonly presenters: Principal[];
  readonly roles: { member: boolean; manager: boolean; presenter: boolean };
  readonly can: { enter: boolean; read: boolean; post: boolean; manage: boolean };
  /** A direct conversation: shown by its participants' names (chat.ts), never by its internal name. */
  readonly direct?: boolean;
}
export interface Message {
  readonly id: number;
  readonly roomId: number;
  readonly seq: number;
  readonly authorId: number;
  readonly authorName: string | null;
  /** `notice`: said in passing (an IRC NOTICE), shown as such. */
  readonly kind: 'text' | 'story' | 'notice';
  readonly title: string | null;
  readonly text: string;
  readonly createdAt: string;
  readonly clientId: string | null;
  readonly file?: FileInfo | null;
  /** When its author last edited it (ISO 8601); null if never. */
  readonly editedAt?: string | null;
  /** Emoji reactions, first-reacted first ([] when none; absent from older servers). */
  readonly reactions?: readonly ReactionView[];
  /** The message it answers; `seq` null when that was removed since. */
  readonly replyTo?: ReplyParent | null;
  /** How many messages answer it. */
  readonly replyCount?: number;
}
/** What a reply shows of its parent (docs/websocket.md). */
export interface ReplyParent {
  readonly seq: number | null;
  readonly authorId: number | null;
  readonly authorName: string | null;
  readonly excerpt: string;
}
/** One emoji on a message: how many reacted with it, and who (in the order they did). */
export interface ReactionView {
  readonly emoji: string;
  readonly count: number;
  readonly users: readonly { readonly id: number; readonly name: string | null }[];
}
/** The chat configuration's `editOwnMessages`: how long authors may edit or delete their own messages. */
export type EditWindow = 'off' | 'always' | number;
/** A file posted in a room; `url` is a same-origin path (/api/v1/files/<id>/<name>) served with the session cookie. */
export interface FileInfo {
  readonly id: number | string;
  readonly name: string;
  readonly contentType: string;
  readonly size: number;
  readonly sha256: string;
  readonly url: string;
}
export interface Me {
  readonly id: number;
  readonly login: string;
  readonly displayName: string;
  readonly email: string | null;
  readonly isAdmin: boolean;
  readonly chatEnabled: boolean;
  /** The account signed in with a one-time password: only the password form works until it is changed. */
  readonly mustChangePassword?: boolean;
}
/** One of the signed-in user's sessions (GET /api/v1/me/sessions). */
export interface SessionInfo {
  readonly id: number;
  readonly kind: 'token' | 'irc' | 'sip';
  readonly userAgent: string | null;
  readonly address: string | null;
  readonly createdAt: string;
  readonly lastUsedAt: string;
  readonly expiresAt: string | null;
  readonly current: boolean;
}
export interface ReadingView {
  readonly roomId: number;
  readonly followed: boolean;
  readonly lastRead: number;
  readonly lastSeq: number;
  readonly unread: number;
  /** Unread messages that mention me (counted apart from `unread`). */
  readonly mentions?: number;
  /** Which new messages notify me in this room. */
  readonly notify?: 'all' | 'mentions' | 'none';
}
/** One entry of the Mentions view (GET /api/v1/mentions). */
export interface MentionHit {
  readonly message: Message;
  readonly roomName: string;
  /** A direct conversation: named by its people, not by `roomName`. */
  readonly direct: boolean;
  /** Above my read position in its room. */
  readonly unread: boolean;
}
export interface User {
  readonly id: number;
  readonly login: string;
  readonly displayName: string;
  readonly disabled: boolean;
  readonly email?: string | null;
  readonly isAdmin?: boolean;
}
export interface Group {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  readonly members: Principal[];
}
export interface Category {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  readonly allowed: Principal[];
  readonly denied: Principal[];
  readonly creators: Principal[];
  readonly invitations: boolean;
  readonly fileUpload: boolean;
  readonly chatHistory: boolean;
}
export interface HistoryPage {
  readonly messages: Message[];
  readonly moreBefore: boolean;
  readonly moreAfter: boolean;
  readonly lastSeq: number;
}
export interface SearchHit {
  readonly message: Message;
  readonly roomName: string;
  readonly authorName: string;
}
/** A direct conversation as one of its participants sees it (GET /api/v1/direct, `direct` frames). */
export interface Conversation {
  readonly roomId: number;
  readonly participants: { readonly id: number; readonly login: string; readonly displayName: string }[];
  readonly createdAt: string;
  readonly lastSeq: number;
  readonly lastRead: number;
  readonly unread: number;
  readonly lastMessage: Message | null;
  readonly canPost: boolean;
}
