import type { Origin } from '../../core/model.js';
import type { UserRecord } from '../archive/records.js';
import type { UsersFile } from './usersFile.js';

/**
 * People mapped, not invented. The users of some sources are people (IRC nicks; later Slack and
 * Mattermost members) rather than accounts to carry over: each is found among the existing pchat
 * accounts, and an account is created for one only when the administrator says so. Per source
 * user, in this order:
 *
 * 1. the account imported for it before (its identity is the account's origin: a re-run);
 * 2. the mapping file (`--users users.csv`): a login, or `new`; several nicks mapped to one login
 *    (or `alice*`, a nick and its aliases) fold to that one person;
 * 3. the account with the same e-mail address (ignoring case);
 * 4. the account with the same login (ignoring case);
 * 5. with `--create-users`, a new account; otherwise the user is unmapped, the plan lists it with
 *    its message count, and the import refuses.
 *
 * The file comes before the automatic matches: it is the administrator's explicit word, so a
 * nick `bob` mapped to `robert` is never taken by an unrelated account named `bob`.
 */

/** Sources whose users are people to map (by their system in the manifest). */
export const PEOPLE_SYSTEMS: ReadonlySet<string> = new Set(['irc-logs', 'slack', 'mattermost']);

export interface PeopleOptions {
  readonly file: UsersFile | null;
  /** `--create-users`: an account for every user nothing maps. */
  readonly createUsers: boolean;
}

/** Whether the import maps a source's users as people (a people source, or a mapping file given). */
export const mapsPeople = (system: string, options: PeopleOptions | undefined): boolean => PEOPLE_SYSTEMS.has(system) || (options?.file ?? null) !== null;

/** A pchat account as the mapping sees it. */
export interface Account {
  readonly id: number;
  readonly login: string;
  readonly email: string | null;
  readonly origin: Origin | null;
}

export type PersonDecision =
  /** An existing account. */
  | { readonly kind: 'account'; readonly account: Account; readonly by: 'origin' | 'file' | 'email' | 'login' }
  /** A new account with the source user's login (`new` in the file, or --create-users). */
  | { readonly kind: 'new'; readonly by: 'file' | 'create-users' }
  /** The account another source user of this import gets created as (the file maps both to its login). */
  | { readonly kind: 'same'; readonly as: string; readonly login: string }
  | { readonly kind: 'unmapped' }
  /** The file says something that cannot hold: the message says what and where. */
  | { readonly kind: 'invalid'; readonly message: string };

const originKey = (o: Origin): string => `${o.system}\u0000${o.id}`;

/** Decides every source user of one import at once (a `same` needs to know who else is created). */
export function decidePeople(users: readonly UserRecord[], identityOf: (u: UserRecord) => Origin, accounts: Iterable<Account>, options: PeopleOptions): Map<string, PersonDecision> {
  const byOrigin = new Map<string, Account>();
  const byEmail = new Map<string, Account>();
  const byLogin = new Map<string, Account>();
  for (const a of accounts) {
    if (a.origin) byOrigin.set(originKey(a.origin), a);
    if (a.email) byEmail.set(a.email.toLowerCase(), a);
    byLogin.set(a.login.toLowerCase(), a);
  }
  const decisions = new Map<string, PersonDecision>();
  const created = new Map<string, string>(); // login (folded) → the source user created with it
  const pending: [UserRecord, string, number][] = [];
  for (const u of users) {
    const again = byOrigin.get(originKey(identityOf(u)));
    if (again) {
      decisions.set(u.id, { kind: 'account', account: again, by: 'origin' });
      continue;
    }
    const line = options.file?.find(u.id, u.login);
    if (line) {
      if (line.login === null) {
        const taken = byLogin.get(u.login.toLowerCase());
        if (taken) {
          decisions.set(u.id, { kind: 'invalid', message: `${options.file!.file} line ${line.line} says "new" for "${u.login}", but pchat has an account with the login "${taken.login}" already: map it to that account, or give the new one another login (--renames, kind login)` });
          continue;
        }
        decisions.set(u.id, { kind: 'new', by: 'file' });
        created.set(u.login.toLowerCase(), u.id);
        continue;
      }
      const account = byLogin.get(line.login.toLowerCase());
      if (account) decisions.set(u.id, { kind: 'account', account, by: 'file' });
      else pending.push([u, line.login, line.line]);
      continue;
    }
    const byMail = u.email ? byEmail.get(u.email.toLowerCase()) : undefined;
    if (byMail) decisions.set(u.id, { kind: 'account', account: byMail, by: 'email' });
    else {
      const named = byLogin.get(u.login.toLowerCase());
      if (named) decisions.set(u.id, { kind: 'account', account: named, by: 'login' });
      else if (options.createUsers) {
        decisions.set(u.id, { kind: 'new', by: 'create-users' });
        created.set(u.login.toLowerCase(), u.id);
      } else decisions.set(u.id, { kind: 'unmapped' });
    }
  }
  // A login no account has may still be one this import creates (`carol,new` and `carol_,carol`).
  for (const [u, login, line] of pending) {
    const as = created.get(login.toLowerCase());
    decisions.set(
      u.id,
      as !== undefined && as !== u.id
        ? { kind: 'same', as, login }
        : { kind: 'invalid', message: `${options.file!.file} line ${line} maps "${u.login}" to "${login}", which is no pchat account (nor one this import creates): write an existing login, or new` },
    );
  }
  return decisions;
}
