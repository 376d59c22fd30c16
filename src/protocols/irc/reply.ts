import { randomBytes } from 'node:crypto';
import { ircError } from './errors.js';
import type { IrcSession, Out } from './session.js';

/** A batch reference: letters and digits only, as some clients expect of it. */
const batchRef = (): string => randomBytes(6).toString('hex');

/**
 * Collects the replies of one command. With labeled-response and a label, they go out as
 * one labeled line, a labeled batch, or an ACK; otherwise each is written at once, except for
 * a post that started before the lines ahead of it were answered (`onQueued` given, see
 * IrcSession.enqueue): its replies wait for `finish`.
 */
export class Reply {
  private readonly held: Out[] | null;

  constructor(
    readonly session: IrcSession,
    readonly label: string | null,
    /** For such a post: lets the next line start, once the post is queued for its commit. */
    readonly onQueued?: () => void,
  ) {
    this.held = label === null && !onQueued ? null : [];
  }

  send(out: Out): void {
    if (this.held) this.held.push(out);
    else this.session.write(out);
  }

  /** A numeric to this client: `:server <code> <nick> <params…>`. */
  numeric(code: string, ...params: string[]): void {
    this.send({ source: this.session.deps.serverName, command: code, params: [this.session.nickOrStar, ...params] });
  }

  fail(command: string, code: string, ...params: string[]): void {
    this.send({ source: this.session.deps.serverName, command: 'FAIL', params: [command, code, ...params] });
  }

  /** Reports a failed use case with the one error mapping. */
  error(command: string, target: string | null, error: unknown): void {
    const { reply, unexpected } = ircError(command, target, error);
    if (unexpected) this.session.deps.logger.error({ err: error, userId: this.session.userId, command }, 'irc command failed');
    if ('numeric' in reply) this.numeric(reply.numeric, ...reply.params);
    else this.fail(reply.fail, reply.code, ...reply.params);
  }

  /** Wraps what `fill` sends in a batch when the client takes batches. */
  async batch(type: string, params: string[], fill: (tags: Record<string, string>) => Promise<void> | void): Promise<void> {
    if (!this.session.caps.has('batch')) return fill({});
    const ref = batchRef();
    this.send({ source: this.session.deps.serverName, command: 'BATCH', params: [`+${ref}`, type, ...params] });
    await fill({ batch: ref });
    this.send({ source: this.session.deps.serverName, command: 'BATCH', params: [`-${ref}`] });
  }

  finish(): void {
    const held = this.held;
    if (!held) return;
    if (this.label === null) {
      for (const out of held) this.session.write(out);
      return;
    }
    const label = this.label;
    const server = this.session.deps.serverName;
    if (held.length === 0) this.session.write({ tags: { label }, source: server, command: 'ACK', params: [] });
    else if (held.length === 1) this.session.write({ ...(held[0] as Out), tags: { ...held[0]?.tags, label } });
    else {
      const ref = batchRef();
      this.session.write({ tags: { label }, source: server, command: 'BATCH', params: [`+${ref}`, 'labeled-response'] });
      // Lines already in an inner batch keep it; the inner batch's own BATCH lines join ours.
      for (const out of held) this.session.write(out.tags?.batch ? out : { ...out, tags: { ...out.tags, batch: ref } });
      this.session.write({ source: server, command: 'BATCH', params: [`-${ref}`] });
    }
  }
}
