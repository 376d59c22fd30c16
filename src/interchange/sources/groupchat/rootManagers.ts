import type { CategoryRecord, MembershipRecord, PrincipalRefRecord } from '../../archive/records.js';
import { SourceScope } from '../../import/scope.js';
import { item, type Notes } from './notes.js';

/**
 * Microsoft documents that the managers of the legacy root category manage every room. pchat's
 * role holders must lie within their category's scope (allowed − denied, through groups), so a
 * category whose scope leaves a root manager out would make the import drop them from its rooms.
 *
 * - `every-room` (the default): the manager is added to that category's allowed principals, and
 *   the conversion is reported (`root_manager_added_to_scope`).
 * - `scope` (pchat's earlier behaviour): the scope is kept and the drop reported
 *   (`root_manager_outside_scope`); the import then drops the manager from those rooms.
 * - A root manager whom the category *denies* stays out either way: denied wins, and a conversion
 *   never opens an ethical wall (`root_manager_denied`).
 *
 * The check is the import's own (SourceScope over the converted memberships), so the import and
 * verify see the same scopes the reader decided on.
 */
export const ROOT_MANAGERS_RULES = ['every-room', 'scope'] as const;
export type RootManagersRule = (typeof ROOT_MANAGERS_RULES)[number];

export interface RootManagersOptions {
  /** The direct memberships, to decide whether a scope holds a root manager through a group. */
  readonly memberships: readonly MembershipRecord[];
  readonly rootManagers: RootManagersRule;
}

type Sort = (refs: Iterable<PrincipalRefRecord>) => PrincipalRefRecord[];

/** A function that returns a category record with the rule applied for the root managers of its `rooms` rooms. */
export function rootManagersRule(options: RootManagersOptions, notes: Notes, sorted: Sort) {
  const scope = new SourceScope();
  for (const m of options.memberships) scope.addMembership(m);
  const who = (list: readonly PrincipalRefRecord[]) => list.map((m) => `${m.kind} ${m.id}`).join(', ');

  return (category: CategoryRecord, managers: readonly PrincipalRefRecord[], rooms: number): CategoryRecord => {
    if (managers.length === 0 || rooms === 0) return category;
    scope.addCategory(category);
    const outside = scope.outside(category.id, managers);
    if (outside.length === 0) return category;
    // Those still outside once every one of them is allowed are denied (directly or through a group).
    const probe = `${category.id}:probe`;
    scope.addCategory({ ...category, id: probe, allowed: [...category.allowed, ...outside] });
    const denied = new Set(scope.outside(probe, outside));
    const excluded = outside.filter((m) => !denied.has(m));
    const it = item('category', category.id, category.name);
    const roomsText = `${rooms} room${rooms === 1 ? '' : 's'}`;
    if (denied.size > 0) {
      notes.warning(
        'root_manager_denied',
        it,
        `Root category manager(s) ${who([...denied])} would manage the ${roomsText} of category ${category.name}, but the category denies them; denied wins, so they do not manage these rooms (stop denying them in the legacy scope to apply the documented rule).`,
      );
    }
    if (excluded.length === 0) return category;
    if (options.rootManagers === 'scope') {
      notes.warning(
        'root_manager_outside_scope',
        it,
        `Root category manager(s) ${who(excluded)} are outside the scope of category ${category.name}; with --root-managers scope the scope is kept, so they do not manage its ${roomsText} (the import drops them there).`,
      );
      return category;
    }
    notes.conversion(
      'root_manager_added_to_scope',
      it,
      `Root category manager(s) ${who(excluded)} are outside the scope of category ${category.name}; to manage its ${roomsText} as Microsoft documents, they are added to its allowed principals (--root-managers scope keeps the scope and drops them instead).`,
    );
    const widened = { ...category, allowed: sorted([...category.allowed, ...excluded]) };
    scope.addCategory(widened);
    return widened;
  };
}
