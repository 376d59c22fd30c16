import type { Application } from '../../../app/index.js';
import type { Actor } from '../../../core/permissions.js';
import type { Hub, Subscriber } from '../../../delivery/hub.js';
import type { SipNames } from './uris.js';
import type { LiveRoom } from '../../liveRoom.js';

/** A room the client joined through XCCOS (lastSeq: the highest seq it has been sent). */
export interface JoinedRoom extends LiveRoom {
  readonly uri: string;
  /** The seq at join: bccontext's history ends here, live delivery begins after it. */
  joinedSeq: number;
}

/**
 * What the XCCOS commands and notices need of a signed-in SIP connection. The connection
 * implements it; commands and events depend on this interface only, so nothing here imports
 * the connection (no cycle).
 */
export interface ChatContext {
  readonly app: Application;
  readonly hub: Hub;
  readonly names: SipNames;
  readonly userId: number;
  readonly selfUri: string;
  readonly serverName: string;
  readonly joined: Map<number, JoinedRoom>;
  /** The hub subscriber that stands for this connection. */
  readonly subscriber: Subscriber;
  actor(): Promise<Actor>;
  /** Sends one XCCOS element (rpl, ntc or grpchat) to the client in its group chat dialog. */
  sendXccos(inner: string): void;
}
