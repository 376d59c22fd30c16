import type { ImportPlan } from './plan.js';

/**
 * The one answer to "how many imported accounts have no password": the logins of the enabled
 * accounts an import creates (an archive carries no credential, and an account that exists
 * already keeps its own). `pchat import` (its summary, --json and report) and `pchat migrate
 * plan` (its text, JSON and the migration report) both count through here, so for the same
 * source and target they print the same number.
 */
export function accountsWithoutPassword(plan: Pick<ImportPlan, 'needCredentials'>): readonly string[] {
  return plan.needCredentials;
}

/** The sentence both commands print. */
export function accountsWithoutPasswordLine(count: number, future: boolean): string {
  const accounts = count === 1 ? '1 imported account' : `${count} imported accounts`;
  return `${accounts} ${future ? 'will have' : count === 1 ? 'has' : 'have'} no password yet: set one with \`pchat user set <login> --password-stdin\` (listed in the report).`;
}
