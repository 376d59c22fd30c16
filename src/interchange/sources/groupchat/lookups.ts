import type { Notes } from './notes.js';

/**
 * The lookup tables (tblRoleType, tblPrincipalType, tblEnumValue) turn the ids other tables hold
 * into meanings. The dump's own rows win; when a table is missing, the documented values stand in
 * and a warning says so (docs/groupchat-dump.md).
 */

export type RoleKind = 'member' | 'manager' | 'presenter' | 'creator';
export type PrincipalKind = 'user' | 'system' | 'group';

/** Roles are known by description; their ids are not documented. */
export const roleByDescription = (desc: string): RoleKind | null => {
  switch (desc.trim().toLowerCase()) {
    case 'member':
      return 'member';
    case 'manager':
      return 'manager';
    case 'voiced':
    case 'presenter':
      return 'presenter';
    case 'creator':
      return 'creator';
    default:
      return null;
  }
};

/** Assumed when tblRoleType is missing: the order the roles are listed in Microsoft's documentation. */
export const FALLBACK_ROLES: ReadonlyMap<number, RoleKind> = new Map([
  [1, 'member'],
  [2, 'manager'],
  [3, 'presenter'],
  [4, 'creator'],
]);

export const principalKindByDescription = (desc: string): PrincipalKind | null => {
  switch (desc.trim().toLowerCase()) {
    case 'systemuser':
      return 'system';
    case 'user':
      return 'user';
    case 'dc':
    case 'group':
    case 'folder':
      return 'group';
    default:
      return null;
  }
};

export const FALLBACK_PRINCIPAL_TYPES: ReadonlyMap<number, PrincipalKind> = new Map([
  [4, 'system'],
  [5, 'user'],
  [8, 'group'],
  [9, 'group'],
  [10, 'group'],
]);

/** tblEnumValue: valueID → attributeValue, lower-cased (private, scope, open, normal, auditorium). */
export const FALLBACK_ENUMS: ReadonlyMap<number, string> = new Map([
  [2, 'private'],
  [3, 'scope'],
  [4, 'normal'],
  [5, 'auditorium'],
  [6, 'open'],
]);

export interface Lookups {
  readonly roles: ReadonlyMap<number, RoleKind>;
  readonly principalTypes: ReadonlyMap<number, PrincipalKind>;
  readonly enums: ReadonlyMap<number, string>;
}

export const missingLookupNote = (notes: Notes, table: string, assumed: string) =>
  notes.warning('lookup_table_missing', null, `${table} is not in the dump; assumed the documented values (${assumed}).`);
