// A child process that holds many idle, authenticated WebSocket connections for the
// idle-connections benchmark. Driven over IPC:
//   → {type:'connect', url, tokens, localAddress}   ← {type:'connected', open, failures, firstError}
//   → {type:'close'}                                ← {type:'closed'}, then exits
import type WebSocket from 'ws';
import { closeAll, connect, pool } from './ws.js';

const sockets: WebSocket[] = [];

process.on('message', (message: { type: string; url?: string; tokens?: string[]; localAddress?: string }) => {
  if (message.type === 'connect') {
    let failures = 0;
    let firstError = '';
    void pool(message.tokens ?? [], 100, async (token) => {
      try {
        sockets.push(await connect(message.url as string, token, message.localAddress ? { localAddress: message.localAddress } : {}));
      } catch (error) {
        failures++;
        firstError ||= (error as Error).message;
      }
    }).then(() => process.send?.({ type: 'connected', open: sockets.length, failures, firstError }));
  } else if (message.type === 'close') {
    void closeAll(sockets).then(() => {
      process.send?.({ type: 'closed' });
      process.disconnect();
    });
  }
});
