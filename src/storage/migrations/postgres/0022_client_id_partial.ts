/**
 * The uniqueness of (room, author, clientId) becomes a partial index over the messages that have a
 * clientId, as in SQLite (see its migration 0022): imported messages have none. PostgreSQL drops
 * the constraint in place; it is found by its columns, not by the name PostgreSQL gave it.
 */
export const sql = `
DO $$
DECLARE
  name text;
BEGIN
  SELECT c.conname INTO name FROM pg_constraint c
  WHERE c.conrelid = 'messages'::regclass AND c.contype = 'u'
    AND (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) = ARRAY['room_id', 'author_id', 'client_id'];
  IF name IS NULL THEN
    RAISE EXCEPTION 'migration 0022: no UNIQUE (room_id, author_id, client_id) on messages';
  END IF;
  EXECUTE format('ALTER TABLE messages DROP CONSTRAINT %I', name);
END
$$;
CREATE UNIQUE INDEX messages_client_id ON messages (room_id, author_id, client_id) WHERE client_id IS NOT NULL;
`;
