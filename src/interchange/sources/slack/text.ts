/**
 * Slack's message text ("mrkdwn" as exported) as pchat's plain text: `<@U123>` → `@login`,
 * `<#C123|general>` → `#general`, `<!here>` → `@here`, `<!subteam^S1|@ops>` → `@ops`,
 * `<!date^…|fallback>` → the fallback, `<https://x|label>` → `label (https://x)`, `<https://x>` →
 * `https://x`, and the three escapes Slack writes (`&amp;`, `&lt;`, `&gt;`) undone last.
 */
export interface TextNames {
  /** A user's login by Slack id, or null when the export does not know it. */
  user(id: string): string | null;
  /** A conversation's name by Slack id, or null. */
  channel(id: string): string | null;
}

const ESCAPES: Readonly<Record<string, string>> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };

export function slackText(raw: string, names: TextNames): string {
  let text = raw.indexOf('<') === -1 ? raw : raw.replace(/<([^<>\n]*)>/g, (whole, inner: string) => reference(inner, names) ?? whole);
  if (text.indexOf('&') !== -1) text = text.replace(/&(?:amp|lt|gt);/g, (e) => ESCAPES[e]!);
  return text;
}

function reference(inner: string, names: TextNames): string | null {
  const bar = inner.indexOf('|');
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? null : inner.slice(bar + 1);
  switch (target[0]) {
    case '@': {
      const id = target.slice(1);
      return `@${names.user(id) ?? (label?.replace(/^@/, '') || id)}`;
    }
    case '#': {
      const id = target.slice(1);
      return `#${label || names.channel(id) || id}`;
    }
    case '!': {
      const command = target.slice(1);
      if (label) return command.startsWith('subteam^') && !label.startsWith('@') ? `@${label}` : label;
      if (command.startsWith('subteam^')) return '@group';
      return `@${command}`;
    }
    default: {
      if (target === '') return null;
      if (label === null || label === '') return target;
      // A label that only repeats the address (mailto:a@b|a@b, https://x|x) adds nothing.
      const bare = target.replace(/^mailto:/, '').replace(/^https?:\/\//, '');
      return label === target || label === bare ? label : `${label} (${target})`;
    }
  }
}
