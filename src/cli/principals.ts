import { InvalidArgumentError } from 'commander';
import type { Application } from '../app/index.js';
import { SYSTEM_ACTOR } from '../app/context.js';
import { PchatError } from '../core/errors.js';
import type { Group, PrincipalRef, User } from '../core/model.js';
import type { NamedPrincipal } from './output.js';

/** A principal as written on the command line: `user:<login|id>` or `group:<name|id>`. */
export interface PrincipalSpec {
  readonly kind: 'user' | 'group';
  readonly ref: string;
  /** As the administrator wrote it, for error messages. */
  readonly text: string;
}

export const PRINCIPAL_SYNTAX = 'comma-separated user:<login|id> and group:<name|id>; "" or none for an empty list';

/**
 * Commander argument parser for a principal list option (repeating the option adds to the
 * list). Checks syntax only; names are resolved later, through the application.
 */
export function parsePrincipalList(value: string, previous: PrincipalSpec[] = []): PrincipalSpec[] {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.toLowerCase() === 'none') return previous;
  return [...previous, ...trimmed.split(',').map((raw) => {
    const text = raw.trim();
    const match = /^(user|group):(.+)$/i.exec(text);
    if (!match) throw new InvalidArgumentError(`"${text}" is not a principal; write user:<login|id> or group:<name|id>.`);
    return { kind: (match[1] as string).toLowerCase() as 'user' | 'group', ref: (match[2] as string).trim(), text };
  })];
}

const isId = (ref: string): boolean => /^\d+$/.test(ref);
const fold = (s: string): string => s.trim().toLocaleLowerCase();

/** Finds by numeric id first, then by exact name, then by name ignoring case. */
export function findByNameOrId<T extends { id: number }>(items: Iterable<T>, ref: string, nameOf: (t: T) => string): T | undefined {
  const list = [...items];
  if (isId(ref)) {
    const byId = list.find((t) => t.id === Number(ref));
    if (byId) return byId;
  }
  return list.find((t) => nameOf(t) === ref.trim()) ?? list.find((t) => fold(nameOf(t)) === fold(ref));
}

/** Turns principal names into references and back, through the application's use cases. */
export class Principals {
  private users: Promise<User[]> | null = null;
  private groups: Promise<Group[]> | null = null;

  constructor(private readonly app: Application) {}

  /** Forgets cached names, e.g. after a create or rename. */
  refresh(): void {
    this.users = null;
    this.groups = null;
  }

  private allUsers(): Promise<User[]> {
    return (this.users ??= this.app.users.list(SYSTEM_ACTOR));
  }

  private allGroups(): Promise<Group[]> {
    return (this.groups ??= this.app.groups.list(SYSTEM_ACTOR));
  }

  /** A user by login or id; `option` names the command-line option at fault. */
  async user(ref: string, option: string): Promise<User> {
    const found = findByNameOrId(await this.allUsers(), ref, (u) => u.login);
    if (!found) throw new PchatError('invalid_input', `Unknown user "${ref}" in ${option}: no user has that login or id.`, { field: option });
    return found;
  }

  /** A group by name or id. */
  async group(ref: string, option: string): Promise<Group> {
    const found = findByNameOrId(await this.allGroups(), ref, (g) => g.name);
    if (!found) throw new PchatError('invalid_input', `Unknown group "${ref}" in ${option}: no group has that name or id.`, { field: option });
    return found;
  }

  /**
   * Resolves a list option's value (as parsePrincipalList produced it); undefined stays
   * undefined (the option was not given).
   */
  async resolve(value: unknown, option: string): Promise<PrincipalRef[] | undefined> {
    if (value === undefined) return undefined;
    const refs: PrincipalRef[] = [];
    for (const spec of value as readonly PrincipalSpec[]) {
      try {
        const found = spec.kind === 'user' ? await this.user(spec.ref, option) : await this.group(spec.ref, option);
        refs.push({ kind: spec.kind, id: found.id });
      } catch (error) {
        if (!(error instanceof PchatError)) throw error;
        const what = spec.kind === 'user' ? 'no user has that login or id' : 'no group has that name or id';
        throw new PchatError('invalid_input', `Unknown principal "${spec.text}" in ${option}: ${what}.`, { field: option });
      }
    }
    return refs;
  }

  /** References with their names, for display. */
  async named(refs: readonly PrincipalRef[]): Promise<NamedPrincipal[]> {
    const [users, groups] = await Promise.all([this.allUsers(), this.allGroups()]);
    return refs.map((ref) => ({
      kind: ref.kind,
      id: ref.id,
      name:
        ref.kind === 'user'
          ? (users.find((u) => u.id === ref.id)?.login ?? `#${ref.id}`)
          : (groups.find((g) => g.id === ref.id)?.name ?? `#${ref.id}`),
    }));
  }
}
