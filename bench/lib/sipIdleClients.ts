// A child process that holds many idle connections for the sip benchmark's memory phase, each
// signed in and in one room: SIP (REGISTER, the chat dialog opened, cmd:join) or WebSocket
// (bearer token, `join`), so both protocols are measured in the same state. Driven over IPC:
//   → {type:'connect', protocol, sipPort, url, clients:[{login, token, roomId, roomUri}], localAddress}
//   ← {type:'connected', open, failures, firstError}
//   → {type:'close'}  ← {type:'closed'}, then exits
import type WebSocket from 'ws';
import { chanidXml, SipClient } from './sipClient.js';
import { call, closeAll, connect, pool } from './ws.js';

export interface HeldClient {
  readonly login: string;
  readonly token: string;
  readonly roomId: number;
  readonly roomUri: string;
}

export interface ConnectMessage {
  readonly type: 'connect';
  readonly protocol: 'sip' | 'ws';
  readonly sipPort: number;
  readonly url: string;
  readonly clients: readonly HeldClient[];
  readonly localAddress?: string;
}

const sip: SipClient[] = [];
const sockets: WebSocket[] = [];

async function open(message: ConnectMessage, c: HeldClient): Promise<void> {
  const local = message.localAddress ? { localAddress: message.localAddress } : {};
  if (message.protocol === 'ws') {
    const ws = await connect(message.url, c.token, local);
    sockets.push(ws);
    await call(ws, { type: 'join', roomId: c.roomId });
    return;
  }
  const client = await SipClient.signIn({ port: message.sipPort, login: c.login, timeoutMs: 60_000, ...local });
  sip.push(client);
  // Notices and live messages would pile up in the queue: an idle holder drops them.
  client.onEvent = () => undefined;
  const joined = await client.command('cmd:join', chanidXml(c.roomUri));
  if (joined.code !== 200) throw new Error(`cmd:join ${c.roomUri}: ${joined.code} ${joined.text}`);
}

process.on('message', (message: ConnectMessage | { type: 'close' }) => {
  if (message.type === 'connect') {
    let failures = 0;
    let firstError = '';
    void pool(message.clients, 100, async (c) => {
      try {
        await open(message, c);
      } catch (error) {
        failures++;
        firstError ||= (error as Error).message;
      }
    }).then(() =>
      process.send?.({
        type: 'connected',
        open: message.protocol === 'sip' ? sip.filter((c) => !c.closed).length : sockets.length,
        failures,
        firstError,
      }),
    );
  } else if (message.type === 'close') {
    for (const c of sip) c.close();
    const closing = Promise.all(sip.map((c) => c.closedPromise));
    void Promise.all([closeAll(sockets), Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 10_000).unref())])]).then(() => {
      // Exit at once: closeAll's bounding timer would otherwise keep this process 10 s longer.
      process.send?.({ type: 'closed' }, () => process.exit(0));
    });
  }
});
