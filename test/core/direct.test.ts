import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIRECT_CATEGORY, directPairKey } from '../../src/core/direct.js';
import type { Room } from '../../src/core/model.js';
import { type Actor, can, denial, ROOM_OPERATIONS } from '../../src/core/permissions.js';

const conversation = (extra: Partial<Room> = {}): Room => ({
  id: 9,
  name: ' direct x',
  description: '',
  categoryId: 0,
  privacy: 'secret',
  type: 'normal',
  members: [{ kind: 'user', id: 1 }, { kind: 'user', id: 2 }, { kind: 'group', id: 3 }],
  managers: [],
  presenters: [],
  invitations: 'false',
  addinId: null,
  disabled: false,
  createdAt: 0,
  origin: null,
  legacyUri: null,
  direct: true,
  ...extra,
});
const actor = (userId: number, extra: Partial<Actor> = {}): Actor => ({
  userId,
  userIds: new Set([userId]),
  groupIds: new Set(userId === 4 ? [3] : []),
  isAdmin: false,
  disabled: false,
  chatEnabled: true,
  directEnabled: true,
  ...extra,
});
/** The operations allowed, in ROOM_OPERATIONS order, as a string like "find enter read post search". */
const allowed = (a: Actor, room = conversation()): string => ROOM_OPERATIONS.filter((op) => can(a, op, room, DIRECT_CATEGORY)).join(' ');

describe('the permission model for direct conversations (written from domain.md, not from the code)', () => {
  it('lets participants do everything but manage', () => {
    assert.equal(allowed(actor(1)), 'find enter read post search');
    assert.equal(allowed(actor(2)), 'find enter read post search');
  });

  it('shows it to nobody else: administrators, a member of a group listed by mistake, strangers, the CLI', () => {
    for (const other of [actor(7, { isAdmin: true }), actor(4), actor(5), actor(0, { isAdmin: true, userIds: new Set() })]) {
      assert.equal(allowed(other), '', `user ${other.userId}`);
      assert.equal(denial(other, conversation(), DIRECT_CATEGORY), 'room_not_found');
    }
  });

  it('takes the policies into account: chat off hides it, direct off forbids posting only', () => {
    assert.equal(allowed(actor(1, { chatEnabled: false })), '');
    assert.equal(allowed(actor(1, { directEnabled: false })), 'find enter read search');
    assert.equal(denial(actor(1, { directEnabled: false }), conversation(), DIRECT_CATEGORY), 'not_permitted');
    assert.equal(allowed(actor(1, { disabled: true })), '');
    assert.equal(allowed(actor(1), conversation({ disabled: true })), '');
  });

  it('keys a pair the same in either order, and groups not at all', () => {
    assert.equal(directPairKey([12, 3]), '3:12');
    assert.equal(directPairKey([3, 12]), '3:12');
    assert.equal(directPairKey([1, 2, 3]), null);
  });
});
