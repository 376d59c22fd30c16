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
