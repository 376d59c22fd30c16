import { z } from 'zod';
import { PchatError } from '../core/errors.js';
import { DOOR_CLIENT_ID_PREFIX } from '../core/model.js';
import { isWellFormedText, NOT_UTF8 } from '../core/validation.js';

/** A post's clientId, chosen by the client: a retry with the same id is stored once. */
export const clientIdInput = z
  .string()
  .min(1)
  .max(128)
  .refine((value) => !value.startsWith(DOOR_CLIENT_ID_PREFIX), `A clientId cannot start with "${DOOR_CLIENT_ID_PREFIX}": pchat gives the posts made over IRC such ids.`)
  .nullable()
  .default(null);

/**
 * Parses input with a schema shared by every protocol. The first issue becomes the error's
 * message and field; all issues travel in `details` so a client can mark every bad field.
 */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const broken = notUnicodeAt(input, '');
  if (broken !== null) {
    const where = broken ? `${broken}: ` : '';
    throw new PchatError('invalid_input', `${where}${NOT_UTF8}`, { field: broken || undefined, details: [{ field: broken, message: NOT_UTF8 }] });
  }
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

/**
 * The dotted path of the first string in the input that is not well-formed Unicode (a lone
 * surrogate: bytes that were not UTF-8, as every door decodes them, or a JSON escape), or
 * null. Every input of every door passes here, so no field is stored with a character the
 * client never sent.
 */
function notUnicodeAt(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return isWellFormedText(value) ? null : path;
  if (depth > 32 || value === null || typeof value !== 'object') return null;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  for (const [key, inner] of entries) {
    const keyPath = path ? `${path}.${key}` : key;
    if (!isWellFormedText(key)) return keyPath;
    const found = notUnicodeAt(inner, keyPath, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

export const id = z.int().positive();
export const principalRef = z.strictObject({ kind: z.enum(['user', 'group']), id });
export const principalList = z.array(principalRef).max(10_000);
/** Times are accepted as ISO 8601 strings or epoch milliseconds. */
export const timestamp = z.union([
  z.int().nonnegative(),
  z.iso.datetime({ offset: true }).transform((value) => Date.parse(value)),
]);
