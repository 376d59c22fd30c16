import type { PeopleOptions } from './mapping.js';
import { parseUsersFile } from './usersFile.js';

/** The people mapping as a migration plan keeps it: the file's path and text, so every step maps as planned. */
export interface PlannedPeople {
  readonly users: { readonly file: string; readonly text: string } | null;
  readonly createUsers: boolean;
}

export const peopleOfPlan = (planned: PlannedPeople | undefined): PeopleOptions => ({
  file: planned?.users ? parseUsersFile(planned.users.text, planned.users.file) : null,
  createUsers: planned?.createUsers === true,
});
