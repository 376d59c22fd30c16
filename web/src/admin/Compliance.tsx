import { useState } from 'preact/hooks';
import { get, query } from '../api.js';
import { humanSize } from '../files.js';
import { useLoad } from '../hooks.js';
import type { Room } from '../types.js';
import { Empty, ErrorNote, Field, Loading } from '../components/ui.js';
import { useAllPrincipals } from './Resources.js';

interface ComplianceEvent {
  id: number;
  type: string;
  roomId: number;
  userId: number;
  at: string;
  data: Record<string, unknown> | null;
}

/** "previousText" → "previous text". */
const words = (key: string): string => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

/** Every field of a record as [label, value] pairs, nested ones by their path ("file · name"), never as JSON. */
function fields(data: Record<string, unknown>, prefix = ''): [string, string][] {
  return Object.entries(data).flatMap(([key, value]): [string, string][] => {
    const label = prefix + words(key);
    if (value === null || value === undefined) return [];
    if (Array.isArray(value)) return [[label, value.map((v) => (typeof v === 'object' && v !== null ? fields(v as Record<string, unknown>).map(([k, x]) => `${k} ${x}`).join(', ') : String(v))).join('; ')]];
    if (typeof value === 'object') return fields(value as Record<string, unknown>, `${label} · `);
    if (key === 'size' && typeof value === 'number') return [[label, humanSize(value)]];
    return [[label, String(value)]];
  });
}

/**
 * What an event's data says, for a reader: a message's text as it was recorded, a file's name,
 * size and type, how much history was read; any other field by name and value.
 */
function EventData({ event }: { event: ComplianceEvent }) {
  const data = event.data;
  if (!data) return null;
  const { text, ...rest } = data;
  // The ids are for machines; the export keeps them.
  // A plain text message says nothing by its kind; stories and notices do.
  const shown = fields(rest).filter(([label, value]) => !/(^| )(id|seq|sha256)$/.test(label) && !(label === 'kind' && value === 'text'));
  if (event.type === 'BACKCHAT' && typeof data.count === 'number') {
    return <span>{`Read ${data.count} earlier message${data.count === 1 ? '' : 's'}${typeof data.fromSeq === 'number' ? ` from no. ${data.fromSeq}` : ''}`}</span>;
  }
  return (
    <>
      {typeof text === 'string' && <span class="data-text">{text}</span>}
      {shown.length > 0 && (
        <dl class="kv">
          {shown.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
    </>
  );
}

const stamp = (iso: string): string => new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'medium' });

/** The compliance record, read-only: nothing here changes or deletes it. */
export function Compliance() {
  const [filter, setFilter] = useState({ type: '', roomId: '' });
  const [pages, setPages] = useState<ComplianceEvent[]>([]);
  const [after, setAfter] = useState(0);
  const first = useLoad(async () => {
    const r = await get<{ events: ComplianceEvent[]; next: number | null }>(`/api/v1/compliance${query({ type: filter.type, roomId: filter.roomId, limit: 200 })}`);
    setPages(r.events);
    setAfter(r.next ?? 0);
    return r;
  }, [filter.type, filter.roomId]);
  const users = useAllPrincipals();
  const rooms = useLoad(() => get<{ rooms: Room[] }>('/api/v1/rooms?limit=1000'), []);
  const roomName = (id: number) => rooms.data?.rooms.find((r) => r.id === id)?.name ?? `#${id}`;
  const userName = (id: number) => users.find((p) => p.kind === 'user' && p.id === id)?.name ?? `#${id}`;
  const more = async () => {
    const r = await get<{ events: ComplianceEvent[]; next: number | null }>(`/api/v1/compliance${query({ type: filter.type, roomId: filter.roomId, after, limit: 200 })}`);
    setPages([...pages, ...r.events]);
    setAfter(r.next ?? 0);
  };
  return (
    <div>
      <h2>Compliance log</h2>
      <p class="muted">Append-only: JOIN, PART, CHAT and BACKCHAT events with room, user and time. Read-only here and everywhere.</p>
      <div class="inline-form">
        <Field label="Type" id="cmp-type">
          <select id="cmp-type" value={filter.type} onChange={(e) => setFilter({ ...filter, type: e.currentTarget.value })}>
            <option value="">All</option>
            {['JOIN', 'PART', 'CHAT', 'BACKCHAT', 'FILEUPLOAD', 'FILEDOWNLOAD', 'EDIT', 'DELETE', 'REACT', 'UNREACT'].map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </Field>
        <Field label="Room" id="cmp-room">
          <select id="cmp-room" value={filter.roomId} onChange={(e) => setFilter({ ...filter, roomId: e.currentTarget.value })}>
            <option value="">All</option>
            {(rooms.data?.rooms ?? []).map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {first.loading ? (
        <Loading what="the compliance log" />
      ) : first.error ? (
        <ErrorNote error={first.error} />
      ) : pages.length === 0 ? (
        <Empty>No events.</Empty>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Compliance events">
          <table class="table compliance">
            <caption class="sr-only">Compliance events, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Time</th>
                <th scope="col">Type</th>
                <th scope="col">Room</th>
                <th scope="col">User</th>
                <th scope="col">Data</th>
              </tr>
            </thead>
            <tbody>
              {pages.map((e) => (
                <tr key={e.id}>
                  <td>{e.id}</td>
                  <td class="nowrap">
                    <time dateTime={e.at}>{stamp(e.at)}</time>
                  </td>
                  <td>
                    <span class="tag">{e.type}</span>
                  </td>
                  <td>{roomName(e.roomId)}</td>
                  <td>{userName(e.userId)}</td>
                  <td class="data">
                    <EventData event={e} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {after > 0 && <button onClick={() => void more()}>Load more</button>}
    </div>
  );
}
