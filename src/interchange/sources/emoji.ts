/**
 * Reactions by name (Slack's and Mattermost's shortcodes) as the Unicode emoji pchat keeps. A
 * small table of the names people react with most; any other name (a custom emoji, a rarer
 * shortcode) is kept as `:name:`, so nothing is lost and an administrator can see what it was.
 */
const EMOJI: Readonly<Record<string, string>> = {
  '+1': '👍',
  thumbsup: '👍',
  '-1': '👎',
  thumbsdown: '👎',
  heart: '❤️',
  heavy_heart_exclamation_mark_ornament: '❣️',
  broken_heart: '💔',
  smile: '😄',
  smiley: '😃',
  grinning: '😀',
  grin: '😁',
  laughing: '😆',
  satisfied: '😆',
  joy: '😂',
  rofl: '🤣',
  slightly_smiling_face: '🙂',
  upside_down_face: '🙃',
  wink: '😉',
  blush: '😊',
  heart_eyes: '😍',
  thinking_face: '🤔',
  thinking: '🤔',
  neutral_face: '😐',
  confused: '😕',
  disappointed: '😞',
  cry: '😢',
  sob: '😭',
  scream: '😱',
  astonished: '😲',
  open_mouth: '😮',
  sweat_smile: '😅',
  sunglasses: '😎',
  rage: '😡',
  angry: '😠',
  facepalm: '🤦',
  face_palm: '🤦',
  shrug: '🤷',
  pray: '🙏',
  clap: '👏',
  wave: '👋',
  raised_hands: '🙌',
  ok_hand: '👌',
  muscle: '💪',
  point_up: '☝️',
  eyes: '👀',
  fire: '🔥',
  tada: '🎉',
  sparkles: '✨',
  star: '⭐',
  '100': '💯',
  rocket: '🚀',
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  ballot_box_with_check: '☑️',
  x: '❌',
  heavy_multiplication_x: '✖️',
  warning: '⚠️',
  question: '❓',
  exclamation: '❗',
  bulb: '💡',
  memo: '📝',
  pushpin: '📌',
  link: '🔗',
  coffee: '☕',
  beers: '🍻',
  cake: '🍰',
  gift: '🎁',
  trophy: '🏆',
  bug: '🐛',
  zap: '⚡',
  boom: '💥',
  skull: '💀',
  see_no_evil: '🙈',
  hourglass: '⌛',
  calendar: '📆',
  lock: '🔒',
  key: '🔑',
  mag: '🔍',
  construction: '🚧',
  rotating_light: '🚨',
  ok: '🆗',
  new: '🆕',
  heavy_plus_sign: '➕',
  heavy_minus_sign: '➖',
  arrow_up: '⬆️',
  arrow_down: '⬇️',
  arrow_right: '➡️',
  arrow_left: '⬅️',
  green_heart: '💚',
  blue_heart: '💙',
  yellow_heart: '💛',
  purple_heart: '💜',
  party_popper: '🎉',
  partying_face: '🥳',
  hugging_face: '🤗',
  hugs: '🤗',
  nerd_face: '🤓',
  money_mouth_face: '🤑',
  sleeping: '😴',
  sweat: '😓',
  innocent: '😇',
  stuck_out_tongue: '😛',
  stuck_out_tongue_winking_eye: '😜',
  relieved: '😌',
  unamused: '😒',
  star_struck: '🤩',
  mindblown: '🤯',
  exploding_head: '🤯',
};

/** `skin-tone-2` … `skin-tone-6`: the Fitzpatrick modifiers U+1F3FB … U+1F3FF. */
const SKIN_TONES: Readonly<Record<string, string>> = {
  'skin-tone-2': '\u{1F3FB}',
  'skin-tone-3': '\u{1F3FC}',
  'skin-tone-4': '\u{1F3FD}',
  'skin-tone-5': '\u{1F3FE}',
  'skin-tone-6': '\u{1F3FF}',
};

/** Longest emoji name a reaction record holds as `:name:` (the record's limit is 64 characters). */
const MAX_NAME = 62;

/**
 * The emoji of a reaction named `name` (`thumbsup`, `+1::skin-tone-3`, `partyparrot`): the Unicode
 * emoji for a name in the table (with its skin tone), else `:name:` (spaces and control
 * characters, which a shortcode never has, replaced by `_`).
 */
export function emojiOf(name: string): string {
  const [base = name, tone] = name.split('::');
  const known = EMOJI[base];
  if (known !== undefined) {
    const modifier = tone === undefined ? '' : (SKIN_TONES[tone] ?? '');
    // A modifier follows the base character (without the emoji presentation selector).
    return modifier ? known.replace('\uFE0F', '') + modifier : known;
  }
  // eslint-disable-next-line no-control-regex
  const clean = [...name.replace(/[\s\u0000-\u001f\u007f-\u009f]/g, '_')].slice(0, MAX_NAME).join('');
  return `:${clean || '_'}:`;
}

/**
 * Reactions as archive records: one entry per emoji (names that map to the same emoji merged),
 * each with the users who reacted, in first-seen order, without repeats; `known` keeps only
 * users the source has records for. Null when none is left.
 */
export function reactionRecords(reactions: Iterable<{ name: string; users: Iterable<string> }>, known: (user: string) => boolean): { emoji: string; users: string[] }[] | null {
  const byEmoji = new Map<string, Set<string>>();
  for (const r of reactions) {
    const emoji = emojiOf(r.name);
    let users = byEmoji.get(emoji);
    for (const u of r.users) {
      if (!known(u)) continue;
      if (!users) byEmoji.set(emoji, (users = new Set()));
      users.add(u);
    }
  }
  if (byEmoji.size === 0) return null;
  return [...byEmoji].map(([emoji, users]) => ({ emoji, users: [...users] }));
}

/**
 * The reactions a source's first pass meets, counted as its records will carry them: one per
 * emoji and user of a message (two names of one emoji by one user are one), by reacting user.
 * Whether a user's reactions are kept depends on whether the source has a record of that user,
 * which it knows only once the pass has met every author (one who reacts before their first
 * message is kept too), so `settle` decides at the end. Malformed entries (no user, no emoji) are
 * left out whoever gave them.
 */
export class ReactionTally {
  private readonly byUser = new Map<string, number>();
  private malformed = 0;

  add(reactions: Iterable<{ name: string; users: Iterable<string> }>, malformed = 0): void {
    for (const r of reactionRecords(reactions, () => true) ?? []) for (const u of r.users) this.byUser.set(u, (this.byUser.get(u) ?? 0) + 1);
    this.malformed += malformed;
  }

  /** What the records keep (`known` users' reactions) and what they leave out. */
  settle(known: (user: string) => boolean): { kept: number; dropped: number } {
    let kept = 0;
    let dropped = this.malformed;
    for (const [user, n] of this.byUser) {
      if (known(user)) kept += n;
      else dropped += n;
    }
    return { kept, dropped };
  }
}
