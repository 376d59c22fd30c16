import { Api, expectStatus } from './http.js';
import { ADMIN_PASSWORD } from './server.js';

export const PASSWORD = 'user-password-123';

/** Signs in as the bootstrap administrator. */
export const adminApi = (baseUrl: string): Promise<Api> => Api.login(baseUrl, 'admin', ADMIN_PASSWORD);

/** Creates a user through the API and returns its id with a signed-in client. */
export async function createUser(admin: Api, login: string, extra: Record<string, unknown> = {}): Promise<{ id: number; api: Api }> {
  const user = expectStatus(await admin.post('/api/v1/users', { login, password: PASSWORD, ...extra }), 201);
  return { id: user.id, api: await Api.login(admin.baseUrl, login, PASSWORD) };
}

export async function createCategory(admin: Api, name: string, extra: Record<string, unknown> = {}): Promise<number> {
  return expectStatus(await admin.post('/api/v1/categories', { name, ...extra }), 201).id;
}

export async function createRoom(admin: Api, name: string, categoryId: number, extra: Record<string, unknown> = {}): Promise<number> {
  return expectStatus(await admin.post('/api/v1/rooms', { name, categoryId, ...extra }), 201).id;
}

export const user = (id: number) => ({ kind: 'user' as const, id });
export const group = (id: number) => ({ kind: 'group' as const, id });

export type Person = { id: number; api: Api };

/**
 * The usual cast of the message tests: Alice, Bob and Carol members of room "desk" in category
 * "Desk", Eve a user outside both, and Alice's secret room "hush" in the same category.
 */
export async function deskScenario(baseUrl: string): Promise<{ admin: Api; alice: Person; bob: Person; carol: Person; eve: Person; roomId: number; secretId: number }> {
  const admin = await adminApi(baseUrl);
  const alice = await createUser(admin, 'alice@example.com', { displayName: 'Alice A' });
  const bob = await createUser(admin, 'bob@example.com', { displayName: 'Bob B' });
  const carol = await createUser(admin, 'carol@example.com', { displayName: 'Carol C' });
  const eve = await createUser(admin, 'eve@example.com', { displayName: 'Eve E' });
  const people = [user(alice.id), user(bob.id), user(carol.id)];
  const category = await createCategory(admin, 'Desk', { allowed: people });
  const roomId = await createRoom(admin, 'desk', category, { members: people });
  const secretId = await createRoom(admin, 'hush', category, { privacy: 'secret', members: [user(alice.id)] });
  return { admin, alice, bob, carol, eve, roomId, secretId };
}
