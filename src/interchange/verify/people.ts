import { decidePeople, type PeopleOptions } from '../people/mapping.js';
import { identityOf, type RecordSource } from '../source.js';
import type { Side } from './verify.js';

/**
 * Verify through the import's people mapping (people/mapping.ts): a source user the mapping finds
 * in pchat is that account, so its messages and references compare under the account's identity,
 * and the account itself (pchat's, not the source's) is not compared as an imported user. Users
 * the import created keep their own identity and compare as any imported user.
 */
export function mapPeople(source: RecordSource, s: Side, t: Side, options: PeopleOptions): void {
  const users = [...s.users.values()];
  const accounts = [...t.users.values()].map((r) => ({ id: Number(r.id), login: r.login, email: r.email, origin: r.origin }));
  const decisions = decidePeople(users, (u) => identityOf(source.description, u), accounts, options);
  const same: [string, string][] = [];
  for (const u of users) {
    const d = decisions.get(u.id);
    if (d?.kind === 'account') {
      const key = t.keyOf.user.get(String(d.account.id));
      if (key === undefined) continue;
      const own = s.keyOf.user.get(u.id);
      if (own !== undefined && own !== key) s.users.delete(own);
      s.keyOf.user.set(u.id, key);
    } else if (d?.kind === 'same') same.push([u.id, d.as]);
  }
  for (const [id, as] of same) {
    const key = s.keyOf.user.get(as);
    const own = s.keyOf.user.get(id);
    if (key === undefined) continue;
    if (own !== undefined) s.users.delete(own);
    s.keyOf.user.set(id, key);
  }
}
