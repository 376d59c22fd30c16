// A generated Slack workspace export for the slack-import benchmark, in the shape Slack documents
// (users.json, channels.json, a folder per channel of YYYY-MM-DD.json day files): 30 channels,
// 400 users, about 200 messages a channel-day; one message in ten a thread reply, one in twenty
// edited, one in fifteen with reactions, one in fifty a join (an event, not a message), one in
// two hundred an integration's post and one in five hundred a file reference.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng, vocabulary } from './words.js';

const START = Date.UTC(2020, 0, 1) / 1000;
const PER_DAY = 200;
const EMOJI = ['thumbsup', '+1', 'heart', 'eyes', 'tada', 'white_check_mark', 'partyparrot'];

export interface GeneratedSlack {
  /** Messages the source imports (events left out). */
  readonly messages: number;
  readonly events: number;
  readonly channels: number;
  readonly users: number;
  readonly files: number;
}

/** Writes an export of `messages` imported messages under `dir`. */
export function writeBenchSlack(dir: string, messages: number, { channels = 30, users = 400 } = {}): GeneratedSlack {
  const random = rng(18);
  const vocab = vocabulary(4000, random);
  const uid = (i: number) => `U${String(i).padStart(6, '0')}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'users.json'),
    JSON.stringify(Array.from({ length: users }, (_, i) => ({ id: uid(i), team_id: 'TBENCH', name: `user${i}`, deleted: i % 97 === 0, real_name: `User ${i}`, profile: { real_name: `User ${i}`, email: `user${i}@example.com` } }))),
  );
  writeFileSync(join(dir, 'channels.json'), JSON.stringify(Array.from({ length: channels }, (_, c) => ({ id: `C${c}`, name: `chan${c}`, created: START, creator: uid(c), is_archived: false, members: [], topic: { value: `topic ${c}` }, purpose: { value: '' } }))));
  const words = () => {
    const n = 3 + Math.floor(random() * 12);
    const parts: string[] = [];
    for (let w = 0; w < n; w++) parts.push(vocab.words[vocab.draw()]!);
    return parts.join(' ');
  };
  let made = 0;
  let events = 0;
  let files = 0;
  const perChannel = Math.ceil(messages / channels);
  for (let c = 0; c < channels && made < messages; c++) {
    const want = Math.min(perChannel, messages - made);
    const folder = join(dir, `chan${c}`);
    mkdirSync(folder, { recursive: true });
    let inChannel = 0;
    let parent: string | null = null;
    for (let day = 0; inChannel < want; day++) {
      const base = START + day * 86400;
      const list: Record<string, unknown>[] = [];
      for (let k = 0; k < PER_DAY && inChannel < want; k++) {
        const ts = `${base + k * 400 + Math.floor(random() * 300)}.${String(Math.floor(random() * 1e6)).padStart(6, '0')}`;
        const user = uid(Math.floor(random() * users));
        if (random() < 0.02) {
          list.push({ type: 'message', subtype: 'channel_join', ts, user, text: `<@${user}> has joined the channel` });
          events += 1;
          continue;
        }
        const m: Record<string, unknown> = { type: 'message', ts, user, text: random() < 0.1 ? `<@${uid(Math.floor(random() * users))}> ${words()} &amp; more` : words() };
        const r = random();
        if (r < 0.005) {
          delete m.user;
          Object.assign(m, { subtype: 'bot_message', bot_id: 'BDEPLOY', username: 'deploybot' });
        } else if (r < 0.007) {
          m.subtype = 'file_share';
          m.files = [{ id: `F${made}`, name: `report-${made}.pdf`, size: 1000 + made, url_private_download: `https://files.slack.com/files-pri/TBENCH-F${made}/report.pdf` }];
          files += 1;
        }
        if (parent !== null && random() < 0.1) Object.assign(m, { thread_ts: parent, parent_user_id: uid(0) });
        else if (random() < 0.05) {
          m.thread_ts = ts;
          parent = ts;
        }
        if (random() < 0.05) m.edited = { user, ts };
        if (random() < 0.066) m.reactions = [{ name: EMOJI[Math.floor(random() * EMOJI.length)]!, users: [uid(Math.floor(random() * users)), uid(Math.floor(random() * users))], count: 2 }];
        list.push(m);
        inChannel += 1;
        made += 1;
      }
      writeFileSync(join(folder, `${new Date(base * 1000).toISOString().slice(0, 10)}.json`), JSON.stringify(list, null, 1));
    }
  }
  return { messages: made, events, channels, users, files };
}
