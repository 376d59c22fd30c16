/**
 * Client-only tags (`+name=value`, IRCv3 message-tags): relayed with the line they came on to
 * the recipients that negotiated message-tags, never stored. A PRIVMSG or NOTICE is stored and
 * published as a pchat message, which carries no tags, so the posting connection keeps its
 * client tags here under the post's clientId while the post is under way: the message is
 * published before the post returns, and the live delivery (events.ts, membership.ts) finds
 * them by the message's clientId. A message relayed from another node of a pool arrives without
 * them; history never has them.
 */

const byClientId = new Map<string, Readonly<Record<string, string>>>();

/** The client-only tags of a received line, or null when it has none. */
export function clientOnlyTags(tags: Readonly<Record<string, string>>): Record<string, string> | null {
  let kept: Record<string, string> | null = null;
  for (const [key, value] of Object.entries(tags)) if (key.startsWith('+')) (kept ??= {})[key] = value;
  return kept;
}

/** Keeps `tags` for the live delivery of the post with `clientId` while `post` runs. */
export async function withClientTags<T>(clientId: string, tags: Readonly<Record<string, string>> | null, post: () => Promise<T>): Promise<T> {
  if (!tags) return post();
  byClientId.set(clientId, tags);
  try {
    return await post();
  } finally {
    byClientId.delete(clientId);
  }
}

/** The client-only tags the live message with `clientId` was posted with. */
export function clientTagsOf(clientId: string | null | undefined): Readonly<Record<string, string>> | undefined {
  return clientId ? byClientId.get(clientId) : undefined;
}
