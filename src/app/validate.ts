import { z } from 'zod';
import { PchatError } from '../core/errors.js';

/**
 * Parses input with a schema shared by every protocol. The first issue becomes the error's
 * message and field; all issues travel in `details` so a client can mark every bad field.
 */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const path = [...issue.path, ...(keys.length === 1 ? keys : [])].map(String).join('.');
    const message = issue.code === 'unrecognized_keys' ? `Unknown field${keys.length > 1 ? 's' : ''}: ${keys.join(', ')}.` : issue.message;
    return { field: path, message };
  });
  const first = issues[0] ?? { field: '', message: 'Invalid input.' };
  const where = first.field ? `${first.field}: ` : '';
  throw new PchatError('invalid_input', `${where}${first.message}`, { field: first.field || undefined, details: issues });
}

export const id = z.int().positive();
export const principalRef = z.strictObject({ kind: z.enum(['user', 'group']), id });
export const principalList = z.array(principalRef).max(10_000);
/** Times are accepted as ISO 8601 strings or epoch milliseconds. */
export const timestamp = z.union([
  z.int().nonnegative(),
  z.iso.datetime({ offset: true }).transform((value) => Date.parse(value)),
]);
