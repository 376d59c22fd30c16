import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminApi, createCategory, createRoom, createUser, group, user } from '../helpers/fixtures.js';
import { type Api, expectStatus } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('rooms: creation, management, moving and deletion', () => {
  let server: TestServer;
  let admin: Api;
  let carol: { id: number; api: Api }; // creator in Engineering and Support
  let dan: { id: number; api: Api }; // allowed in Engineering only
  let erin: { id: number; api: Api }; // allowed in both, not a creator
  let engineering: number;
  let support: number;
  let archive: number;
  let supportStaff: number;

  before(async () => {
    server = await startTestServer();
    admin = await adminApi(server.url);
    carol = await createUser(admin, 'carol');
    dan = await createUser(admin, 'dan');
    erin = await createUser(admin, 'erin');
    supportStaff = expectStatus(await admin.post('/api/v1/groups', { name: 'support staff', members: [user(carol.id), user(erin.id)] }), 201).id;
    engineering = await createCategory(admin, 'Engineering', { allowed: [user(carol.id), user(dan.id), user(erin.id)], creators: [user(carol.id)] });
    support = await createCategory(admin, 'Support', { allowed: [group(supportStaff)], creators: [user(carol.id)] });
    archive = await createCategory(admin, 'Archive', { allowed: [user(carol.id)] });
  });
  after(() => server.stop());

  it('lets creators create rooms, making them managers, and refuses everyone else', async () => {
    const created = expectStatus(await carol.api.post('/api/v1/rooms', { name: 'carol builds', categoryId: engineering }), 201);
    assert.deepEqual(created.managers.map((m: any) => m.id), [carol.id]);
    assert.equal(created.can.manage, true);
    assert.equal((await dan.api.post('/api/v1/rooms', { name: 'dan tries', categoryId: engineering })).status, 403);
    const e = await admin.post('/api/v1/categories', { name: 'Bad creators', allowed: [user(dan.id)], creators: [user(carol.id)] });
    assert.equal(e.body.error.field, 'creators.0', 'creators must lie within allowed − denied');
  });

  it('moves a room as its manager, dropping the roles the new category does not allow', async () => {
    const roomId = expectStatus(
      await carol.api.post('/api/v1/rooms', { name: 'moving', categoryId: engineering, members: [user(dan.id), user(erin.id)] }),
      201,
    ).id;
    const moved = expectStatus(await carol.api.patch(`/api/v1/rooms/${roomId}`, { categoryId: support }), 200);
    assert.equal(moved.category.name, 'Support');
    assert.deepEqual(moved.members.map((m: any) => m.id), [erin.id], 'dan is not allowed in Support');
    assert.deepEqual(moved.dropped.map((m: any) => m.id), [dan.id]);
    assert.equal((await dan.api.get(`/api/v1/rooms/${roomId}`)).status, 404);
    // Carol manages the room but is no creator in Archive.
    const refused = await carol.api.patch(`/api/v1/rooms/${roomId}`, { categoryId: archive });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'not_permitted');
  });

  it('keeps presenters to auditoriums, and drops them when a room becomes normal', async () => {
    const roomId = await createRoom(admin, 'stage', engineering, { type: 'auditorium', presenters: [user(dan.id)] });
    assert.equal((await admin.patch(`/api/v1/rooms/${roomId}`, { type: 'normal', presenters: [user(dan.id)] })).body.error.field, 'presenters');
    const normal = expectStatus(await admin.patch(`/api/v1/rooms/${roomId}`, { type: 'normal' }), 200);
    assert.deepEqual(normal.presenters, []);
    assert.equal((await admin.post('/api/v1/rooms', { name: 'bad stage', categoryId: engineering, presenters: [user(dan.id)] })).body.error.field, 'presenters');
  });

  it('lets only administrators delete rooms, and categories only when empty', async () => {
    const roomId = await createRoom(admin, 'short lived', archive, { managers: [user(carol.id)] });
    assert.equal((await carol.api.delete(`/api/v1/rooms/${roomId}`)).status, 403, 'managers cannot delete');
    assert.equal((await admin.delete(`/api/v1/categories/${archive}`)).status, 409);
    assert.equal((await admin.delete(`/api/v1/rooms/${roomId}`)).status, 204);
    assert.equal((await admin.get(`/api/v1/rooms/${roomId}`)).status, 404);
    assert.equal((await admin.delete(`/api/v1/categories/${archive}`)).status, 204);
  });

  it('filters and pages the directory', async () => {
    for (let i = 0; i < 5; i++) await createRoom(admin, `page room ${i}`, engineering, { privacy: 'open' });
    const first = expectStatus(await dan.api.get('/api/v1/rooms?q=PAGE%20room&limit=2'), 200);
    assert.deepEqual(first.rooms.map((r: any) => r.name), ['page room 0', 'page room 1']);
    const second = expectStatus(await dan.api.get(`/api/v1/rooms?q=page%20room&limit=2&after=${first.next}`), 200);
    assert.deepEqual(second.rooms.map((r: any) => r.name), ['page room 2', 'page room 3']);
    const inSupport = expectStatus(await erin.api.get(`/api/v1/rooms?categoryId=${support}`), 200);
    assert.ok(inSupport.rooms.every((r: any) => r.category.id === support) && inSupport.rooms.length > 0);
    assert.equal((await dan.api.get('/api/v1/rooms?bogus=1')).body.error.field, 'bogus');
  });

  it('honours group membership changes at once', async () => {
    const roomId = await createRoom(admin, 'support desk', support, { members: [group(supportStaff)] });
    assert.equal((await erin.api.get(`/api/v1/rooms/${roomId}/messages`)).status, 200);
    expectStatus(await admin.patch(`/api/v1/groups/${supportStaff}`, { members: [user(carol.id)] }), 200);
    assert.equal((await erin.api.get(`/api/v1/rooms/${roomId}/messages`)).status, 404, 'erin left the group, so the category no longer allows her');
  });
});
