// Unit tests of the permission model (src/core/permissions.ts) and group nesting (src/core/groupGraph.ts).
// The expected values are written out from the domain rules (../shared/docs/domain.md), not derived from the code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PchatError } from '../../src/core/errors.js';
import { GroupGraph, identityOf, matchesAny } from '../../src/core/groupGraph.js';
import type { Category, Group, Privacy, PrincipalRef, Room, RoomType } from '../../src/core/model.js';
import {
  type Actor,
  can,
  canCreateRoomIn,
  denial,
  effectiveRoles,
  inCategoryScope,
  ROOM_OPERATIONS,
  type RoomOperation,
  rolesWithinScope,
} from '../../src/core/permissions.js';
import { ROOM_KEYS, type RoomKey, SHARED_EXPECTED, type TableRow, uniform } from '../helpers/permissionTable.js';

const u = (id: number): PrincipalRef => ({ kind: 'user', id });
const g = (id: number): PrincipalRef => ({ kind: 'group', id });

// ---- The world --------------------------------------------------------------------------------
// Users
const IN_SCOPE = 1; // allowed by the category, no role
const MEMBER = 2; // member, granted directly
const MANAGER = 3; // manager, granted directly
const PRESENTER = 4; // presenter of the auditoriums
const DENIED = 5; // allowed (through STAFF), a member, and denied directly
const NESTED = 20; // in TEAM_A, TEAM_A in TEAM_B, TEAM_B granted member
const DENIED_NESTED = 30; // in STAFF and a member, but in TRADERS, TRADERS in WALL, WALL denied
const OUTSIDER = 99; // not allowed by the category at all
const ADMIN = 100; // an administrator outside the category's allowed list

// Groups
const STAFF = 10;
const TEAM_B = 11;
const TEAM_A = 12;
const WALL = 13;
const TRADERS = 14;

const GROUPS: Pick<Group, 'id' | 'members'>[] = [
  { id: STAFF, members: [u(IN_SCOPE), u(MEMBER), u(MANAGER), u(PRESENTER), u(DENIED), u(DENIED_NESTED)] },
  { id: TEAM_B, members: [g(TEAM_A)] },
  { id: TEAM_A, members: [u(NESTED)] },
  { id: WALL, members: [g(TRADERS)] },
  { id: TRADERS, members: [u(DENIED_NESTED)] },
];
const graph = new GroupGraph(GROUPS);

function category(extra: Partial<Category> = {}): Category {
  return {
    id: 1,
    name: 'Trading floor',
    description: '',
    allowed: [g(STAFF), g(TEAM_B)],
    denied: [u(DENIED), g(WALL)],
    creators: [],
    invitations: true,
    fileUpload: true,
    chatHistory: true,
    origin: null,
    ...extra,
  };
}

function room(privacy: Privacy, type: RoomType, extra: Partial<Room> = {}): Room {
  return {
    id: 7,
    name: `${privacy} ${type}`,
    description: '',
    categoryId: 1,
    privacy,
    type,
    members: [u(MEMBER), g(TEAM_B), u(DENIED), u(DENIED_NESTED)],
    managers: [u(MANAGER)],
    presenters: type === 'auditorium' ? [u(PRESENTER)] : [],
    invitations: 'inherit',
    addinId: null,
    disabled: false,
    createdAt: 0,
    origin: null,
    legacyUri: null,
    ...extra,
  };
}

function actor(userId: number, extra: Partial<Actor> = {}): Actor {
  return { ...identityOf(u(userId), graph), userId, isAdmin: false, disabled: false, chatEnabled: true, directEnabled: true, ...extra };
}

const ACTORS = {
  admin: actor(ADMIN, { isAdmin: true }),
  inScope: actor(IN_SCOPE),
  member: actor(MEMBER),
  nestedMember: actor(NESTED),
  manager: actor(MANAGER),
  presenter: actor(PRESENTER),
  denied: actor(DENIED),
  deniedNested: actor(DENIED_NESTED),
  outsider: actor(OUTSIDER),
  disabledMember: actor(MEMBER, { disabled: true }),
  chatPolicyOffMember: actor(MEMBER, { chatEnabled: false }),
} as const;
type ActorName = keyof typeof ACTORS;


// ---- The expected table (shared with the black-box matrix) -------------------------------------
// A presenter holds no role in a normal room (normal rooms have no presenters), so there they
// are simply in scope.
const EXPECTED: Record<ActorName, TableRow> = {
  admin: SHARED_EXPECTED.admin,
  inScope: SHARED_EXPECTED.inScope,
  member: SHARED_EXPECTED.member,
  nestedMember: SHARED_EXPECTED.nestedMember,
  manager: SHARED_EXPECTED.manager,
  presenter: {
    ...SHARED_EXPECTED.presenterInAuditorium,
    'open normal': SHARED_EXPECTED.inScope['open normal'],
    'closed normal': SHARED_EXPECTED.inScope['closed normal'],
    'secret normal': SHARED_EXPECTED.inScope['secret normal'],
  },
  denied: SHARED_EXPECTED.denied,
  deniedNested: SHARED_EXPECTED.deniedNested,
  outsider: SHARED_EXPECTED.outsider,
  disabledMember: uniform('N'),
  chatPolicyOffMember: SHARED_EXPECTED.chatPolicyOff,
};

const cell = (name: ActorName, key: RoomKey, op: RoomOperation): string => {
  const letters = EXPECTED[name][key].split(' ');
  const letter = letters[ROOM_OPERATIONS.indexOf(op)];
  assert.ok(letter === 'Y' || letter === 'F' || letter === 'N', `bad table entry for ${name} ${key} ${op}`);
  return letter;
};

describe('can() and denial(): the permission table', () => {
  it('the table covers the six operations in the documented order', () => {
    assert.deepEqual([...ROOM_OPERATIONS], ['find', 'enter', 'read', 'post', 'search', 'manage']);
  });

  for (const name of Object.keys(ACTORS) as ActorName[]) {
    for (const key of ROOM_KEYS) {
      const [privacy, type] = key.split(' ') as [Privacy, RoomType];
      it(`${name} in a ${key} room: ${EXPECTED[name][key]}`, () => {
        const a = ACTORS[name];
        const r = room(privacy, type);
        const c = category();
        for (const op of ROOM_OPERATIONS) {
          const expected = cell(name, key, op);
          assert.equal(can(a, op, r, c), expected === 'Y', `can(${name}, ${op}) in ${key}`);
          if (expected !== 'Y') {
            assert.equal(denial(a, r, c), expected === 'F' ? 'not_permitted' : 'room_not_found', `denial(${name}) for ${op} in ${key}`);
          }
        }
      });
    }
  }
});

describe('can(): special cases', () => {
  it('a disabled administrator may do nothing, not even manage', () => {
    const a = actor(ADMIN, { isAdmin: true, disabled: true });
    for (const op of ROOM_OPERATIONS) assert.equal(can(a, op, room('open', 'normal'), category()), false, op);
    assert.equal(denial(a, room('open', 'normal'), category()), 'room_not_found');
  });

  it('a disabled manager may not manage', () => {
    assert.equal(can(actor(MANAGER, { disabled: true }), 'manage', room('closed', 'normal'), category()), false);
  });

  it('a manager whose chat policy is disabled may not manage either (they cannot even find the room)', () => {
    // Policy = "whether a user may use persistent chat at all"; and a room one cannot find must
    // answer room_not_found for every operation, so manage must be refused like find.
    const a = actor(MANAGER, { chatEnabled: false });
    const r = room('secret', 'normal');
    assert.equal(can(a, 'find', r, category()), false);
    assert.equal(can(a, 'manage', r, category()), false);
  });

  it('an administrator whose chat policy is off still administers (finds and manages every room) but does not chat', () => {
    const a = actor(ADMIN, { isAdmin: true, chatEnabled: false });
    const r = room('secret', 'normal');
    assert.equal(can(a, 'find', r, category()), true);
    assert.equal(can(a, 'manage', r, category()), true);
    for (const op of ['enter', 'read', 'post', 'search'] as const) assert.equal(can(a, op, r, category()), false, op);
    assert.equal(denial(a, r, category()), 'not_permitted');
  });

  it('a manager who is later denied by the category loses every power, manage included', () => {
    const c = category({ denied: [u(MANAGER)] });
    for (const op of ROOM_OPERATIONS) assert.equal(can(actor(MANAGER), op, room('closed', 'normal'), c), false, op);
    assert.equal(denial(actor(MANAGER), room('closed', 'normal'), c), 'room_not_found');
  });

  it('a manager of an auditorium who is not a presenter may not post', () => {
    assert.equal(can(actor(MANAGER), 'post', room('open', 'auditorium'), category()), false);
    assert.equal(denial(actor(MANAGER), room('open', 'auditorium'), category()), 'not_permitted');
  });

  it('a user granted presenter in a normal room (stale data) gets no presenter powers and no entry to a closed room', () => {
    const r = room('closed', 'normal', { presenters: [u(PRESENTER)] });
    assert.equal(can(actor(PRESENTER), 'enter', r, category()), false);
    assert.equal(can(actor(PRESENTER), 'find', r, category()), true);
  });

  it('a member granted through a group that is in the allowed list, without the user being listed anywhere', () => {
    const c = category({ allowed: [g(TEAM_B)], denied: [] });
    const r = room('secret', 'normal', { members: [g(TEAM_A)] });
    assert.equal(can(actor(NESTED), 'read', r, c), true);
    assert.equal(can(actor(NESTED), 'post', r, c), true);
    assert.equal(can(actor(IN_SCOPE), 'find', r, c), false);
  });

  describe('disabled rooms', () => {
    const r = room('closed', 'normal', { disabled: true });
    const c = category();
    it('are found (listed) only by administrators and managers', () => {
      assert.equal(can(ACTORS.admin, 'find', r, c), true);
      assert.equal(can(ACTORS.manager, 'find', r, c), true);
      assert.equal(can(ACTORS.member, 'find', r, c), false);
      assert.equal(can(ACTORS.inScope, 'find', r, c), false);
      assert.equal(can(ACTORS.member, 'find', room('open', 'normal', { disabled: true }), c), false);
    });
    it('cannot be entered, read, posted in or searched by anyone, administrators included', () => {
      for (const name of ['admin', 'manager', 'member', 'nestedMember', 'inScope'] as const) {
        for (const op of ['enter', 'read', 'post', 'search'] as const) {
          assert.equal(can(ACTORS[name], op, r, c), false, `${name} ${op}`);
        }
      }
      const auditorium = room('open', 'auditorium', { disabled: true });
      assert.equal(can(ACTORS.presenter, 'post', auditorium, c), false);
    });
    it('can still be managed (re-enabled) by administrators and managers, and by nobody else', () => {
      assert.equal(can(ACTORS.admin, 'manage', r, c), true);
      assert.equal(can(ACTORS.manager, 'manage', r, c), true);
      assert.equal(can(ACTORS.member, 'manage', r, c), false);
    });
    it('answer room_not_found to members and not_permitted to those who still find them', () => {
      assert.equal(denial(ACTORS.member, r, c), 'room_not_found');
      assert.equal(denial(ACTORS.inScope, r, c), 'room_not_found');
      assert.equal(denial(ACTORS.admin, r, c), 'not_permitted');
      assert.equal(denial(ACTORS.manager, r, c), 'not_permitted');
    });
  });
});

describe('effectiveRoles()', () => {
  it('reports direct grants', () => {
    assert.deepEqual(effectiveRoles(actor(MEMBER), room('closed', 'normal'), category()), { member: true, manager: false, presenter: false });
    assert.deepEqual(effectiveRoles(actor(MANAGER), room('closed', 'normal'), category()), { member: false, manager: true, presenter: false });
    assert.deepEqual(effectiveRoles(actor(PRESENTER), room('closed', 'auditorium'), category()), { member: false, manager: false, presenter: true });
  });

  it('reports grants through nested groups', () => {
    assert.deepEqual(effectiveRoles(actor(NESTED), room('closed', 'normal'), category()), { member: true, manager: false, presenter: false });
    const managedByTeam = room('closed', 'auditorium', { managers: [g(TEAM_B)], presenters: [g(TEAM_B)] });
    assert.deepEqual(effectiveRoles(actor(NESTED), managedByTeam, category()), { member: true, manager: true, presenter: true });
  });

  it('gives no presenter role in a normal room, even when one is listed', () => {
    const r = room('closed', 'normal', { presenters: [u(PRESENTER)] });
    assert.deepEqual(effectiveRoles(actor(PRESENTER), r, category()), { member: false, manager: false, presenter: false });
  });

  it('ignores grants held by a denied user (directly or through a nested group) and by users outside the allowed list', () => {
    const r = room('closed', 'auditorium', {
      members: [u(DENIED), u(DENIED_NESTED), u(OUTSIDER)],
      managers: [u(DENIED), u(DENIED_NESTED), u(OUTSIDER)],
      presenters: [u(DENIED), u(DENIED_NESTED), u(OUTSIDER)],
    });
    for (const id of [DENIED, DENIED_NESTED, OUTSIDER]) {
      assert.deepEqual(effectiveRoles(actor(id), r, category()), { member: false, manager: false, presenter: false }, `user ${id}`);
    }
  });

  it('is all false for a user with no grant', () => {
    assert.deepEqual(effectiveRoles(actor(IN_SCOPE), room('secret', 'auditorium'), category()), { member: false, manager: false, presenter: false });
  });
});

describe('inCategoryScope()', () => {
  const c = category();
  it('admits users allowed through a group and through a group nested in an allowed group', () => {
    assert.equal(inCategoryScope(actor(IN_SCOPE), c), true);
    assert.equal(inCategoryScope(actor(NESTED), c), true);
    assert.equal(inCategoryScope(actor(NESTED), category({ allowed: [g(TEAM_B)] })), true);
  });
  it('admits a user listed directly', () => {
    assert.equal(inCategoryScope(actor(OUTSIDER), category({ allowed: [u(OUTSIDER)] })), true);
  });
  it('refuses users outside the allowed list, including administrators (scope is not a power)', () => {
    assert.equal(inCategoryScope(actor(OUTSIDER), c), false);
    assert.equal(inCategoryScope(actor(ADMIN, { isAdmin: true }), c), false);
  });
  it('denied wins over allowed: directly', () => {
    assert.equal(inCategoryScope(actor(DENIED), c), false);
    assert.equal(inCategoryScope(actor(DENIED), category({ allowed: [u(DENIED), g(STAFF)] })), false);
  });
  it('denied wins over allowed: through a nested group (user in TRADERS, TRADERS in WALL, WALL denied)', () => {
    assert.equal(inCategoryScope(actor(DENIED_NESTED), c), false);
    assert.equal(inCategoryScope(actor(DENIED_NESTED), category({ denied: [] })), true);
  });
  it('denying an enclosing group excludes every nested member; allowing it back via a user entry does not help', () => {
    const walled = category({ allowed: [g(TEAM_B), u(NESTED)], denied: [g(TEAM_B)] });
    assert.equal(inCategoryScope(actor(NESTED), walled), false);
  });
  it('an empty allowed list admits nobody', () => {
    assert.equal(inCategoryScope(actor(IN_SCOPE), category({ allowed: [], denied: [] })), false);
  });
  it('works for group identities (as used when checking role lists)', () => {
    assert.equal(inCategoryScope(identityOf(g(TEAM_A), graph), c), true); // TEAM_A is inside TEAM_B
    assert.equal(inCategoryScope(identityOf(g(TRADERS), graph), category({ allowed: [g(TRADERS)], denied: [] })), true);
    assert.equal(inCategoryScope(identityOf(g(TRADERS), graph), category({ allowed: [g(TRADERS)], denied: [g(WALL)] })), false);
  });
});

describe('canCreateRoomIn()', () => {
  it('lets an administrator create anywhere, creator list or not', () => {
    assert.equal(canCreateRoomIn(actor(ADMIN, { isAdmin: true }), category({ creators: [] })), true);
  });
  it('refuses a disabled administrator', () => {
    assert.equal(canCreateRoomIn(actor(ADMIN, { isAdmin: true, disabled: true }), category()), false);
  });
  it('lets a listed creator inside the scope create, directly or through a nested group', () => {
    assert.equal(canCreateRoomIn(actor(MEMBER), category({ creators: [u(MEMBER)] })), true);
    assert.equal(canCreateRoomIn(actor(NESTED), category({ creators: [g(TEAM_B)] })), true);
  });
  it('refuses a user in scope who is not a creator', () => {
    assert.equal(canCreateRoomIn(actor(IN_SCOPE), category({ creators: [u(MEMBER)] })), false);
  });
  it('refuses a creator who is denied, directly or through a nested group', () => {
    assert.equal(canCreateRoomIn(actor(DENIED), category({ creators: [u(DENIED)] })), false);
    assert.equal(canCreateRoomIn(actor(DENIED_NESTED), category({ creators: [g(STAFF)] })), false);
  });
  it('refuses a creator outside the allowed list', () => {
    assert.equal(canCreateRoomIn(actor(OUTSIDER), category({ creators: [u(OUTSIDER)] })), false);
  });
  it('refuses a creator whose chat policy is off, and a disabled creator', () => {
    assert.equal(canCreateRoomIn(actor(MEMBER, { chatEnabled: false }), category({ creators: [u(MEMBER)] })), false);
    assert.equal(canCreateRoomIn(actor(MEMBER, { disabled: true }), category({ creators: [u(MEMBER)] })), false);
  });
});

describe('rolesWithinScope()', () => {
  const identityOfRef = (ref: PrincipalRef) => identityOf(ref, graph);
  it('keeps in-scope users and groups in order and drops denied, nested-denied and outside principals', () => {
    const refs = [u(MEMBER), u(DENIED), g(TEAM_A), u(OUTSIDER), g(TRADERS), u(DENIED_NESTED), u(NESTED), g(WALL)];
    assert.deepEqual(rolesWithinScope(refs, category(), identityOfRef), [u(MEMBER), g(TEAM_A), u(NESTED)]);
  });
  it('drops everything when the target category allows nobody', () => {
    assert.deepEqual(rolesWithinScope([u(MEMBER), g(TEAM_B)], category({ allowed: [], denied: [] }), identityOfRef), []);
  });
  it('keeps a group that is itself allowed even though one of its members is denied (the deny applies per user)', () => {
    const c = category({ allowed: [g(STAFF)], denied: [u(DENIED)] });
    assert.deepEqual(rolesWithinScope([g(STAFF)], c, identityOfRef), [g(STAFF)]);
    assert.equal(inCategoryScope(actor(DENIED), c), false);
  });
});

describe('GroupGraph', () => {
  it('groupsOf() is transitive and includes only enclosing groups', () => {
    assert.deepEqual([...graph.groupsOf(u(NESTED))].sort((a, b) => a - b), [TEAM_B, TEAM_A].sort((a, b) => a - b));
    assert.deepEqual([...graph.groupsOf(u(DENIED_NESTED))].sort((a, b) => a - b), [STAFF, WALL, TRADERS].sort((a, b) => a - b));
    assert.deepEqual([...graph.groupsOf(g(TEAM_A))], [TEAM_B]);
    assert.deepEqual([...graph.groupsOf(u(OUTSIDER))], []);
  });

  it('identityOf() of a group includes the group itself and its ancestors; of a user, the user id', () => {
    const gi = identityOf(g(TEAM_A), graph);
    assert.deepEqual([...gi.userIds], []);
    assert.deepEqual([...gi.groupIds].sort((a, b) => a - b), [TEAM_B, TEAM_A].sort((a, b) => a - b));
    const ui = identityOf(u(NESTED), graph);
    assert.deepEqual([...ui.userIds], [NESTED]);
  });

  it('matchesAny() matches users by user id and groups by group id, never across kinds', () => {
    const ui = identityOf(u(NESTED), graph);
    assert.equal(matchesAny(ui, [g(TEAM_B)]), true);
    assert.equal(matchesAny(ui, [u(NESTED)]), true);
    assert.equal(matchesAny(ui, [g(NESTED)]), false); // a group with the user's id is another principal
    assert.equal(matchesAny(ui, [u(TEAM_B)]), false);
    assert.equal(matchesAny(ui, []), false);
  });

  it('terminates on cyclic data (should it ever be stored)', () => {
    const cyclic = new GroupGraph([
      { id: 1, members: [g(2), u(5)] },
      { id: 2, members: [g(1)] },
    ]);
    assert.deepEqual([...cyclic.groupsOf(u(5))].sort(), [1, 2]);
  });

  const expectCycle = (fn: () => void) =>
    assert.throws(fn, (error: unknown) => {
      assert.ok(error instanceof PchatError);
      assert.equal(error.code, 'group_cycle');
      assert.equal(error.field, 'members');
      return true;
    });

  it('assertNoCycle() refuses a group containing itself', () => {
    expectCycle(() => graph.assertNoCycle(TEAM_A, [g(TEAM_A)]));
  });

  it('assertNoCycle() refuses a direct back-edge (TEAM_A inside TEAM_B, TEAM_B into TEAM_A)', () => {
    expectCycle(() => graph.assertNoCycle(TEAM_A, [u(1), g(TEAM_B)]));
  });

  it('assertNoCycle() refuses a transitive back-edge (1 ⊃ 2 ⊃ 3, then 3 ⊃ 1)', () => {
    const chain = new GroupGraph([
      { id: 1, members: [g(2)] },
      { id: 2, members: [g(3)] },
      { id: 3, members: [] },
    ]);
    expectCycle(() => chain.assertNoCycle(3, [g(1)]));
  });

  it('assertNoCycle() accepts nesting without a loop, a diamond, users, and re-stating existing members', () => {
    const diamond = new GroupGraph([
      { id: 1, members: [g(2), g(3)] },
      { id: 2, members: [g(4)] },
      { id: 3, members: [] },
      { id: 4, members: [] },
    ]);
    assert.doesNotThrow(() => diamond.assertNoCycle(3, [g(4), u(1), u(3)])); // 4 is now under both 2 and 3
    assert.doesNotThrow(() => diamond.assertNoCycle(1, [g(2), g(3), g(4)]));
    assert.doesNotThrow(() => graph.assertNoCycle(TEAM_B, [g(TEAM_A), g(WALL)]));
    assert.doesNotThrow(() => graph.assertNoCycle(STAFF, [u(STAFF), u(TEAM_B)])); // user ids equal to group ids are not groups
  });
});
