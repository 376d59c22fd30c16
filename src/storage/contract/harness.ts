import type { Store } from '../../ports/store.js';

/** How a contract suite gets a fresh, empty store of one implementation. */
export interface StoreFactory {
  /** e.g. 'sqlite', 'postgres' */
  readonly name: string;
  create(): Promise<Store>;
  destroy(store: Store): Promise<void>;
}

/** A category, a room and a user: the minimum most message cases need. */
export async function seedRoom(store: Store, name = 'room'): Promise<{ userId: number; categoryId: number; roomId: number }> {
  const user = await store.users.create({
    login: `${name}-author@example.com`,
    displayName: `${name} author`,
    email: null,
    disabled: false,
    isAdmin: false,
    origin: null,
    passwordHash: null,
  });
  const category = await store.categories.create({
    name: `${name} category`,
    description: '',
    allowed: [{ kind: 'user', id: user.id }],
    denied: [],
    creators: [],
    invitations: true,
    fileUpload: true,
    chatHistory: true,
    origin: null,
  });
  const room = await store.rooms.create({
    name,
    description: '',
    categoryId: category.id,
    privacy: 'closed',
    type: 'normal',
    members: [{ kind: 'user', id: user.id }],
    managers: [],
    presenters: [],
    invitations: 'inherit',
    addinId: null,
    disabled: false,
    origin: null,
    legacyUri: null,
  });
  return { userId: user.id, categoryId: category.id, roomId: room.id };
}

export const post = (roomId: number, authorId: number, text: string, extra: Partial<import('../../ports/store.js').NewMessage> = {}) => ({
  roomId,
  authorId,
  kind: 'text' as const,
  title: null,
  text,
  createdAt: Date.now(),
  clientId: null,
  origin: null,
  keep: true,
  ...extra,
});
