// A child process that holds many idle, registered IRC connections (raw sockets) for the
// irc-idle-connections benchmark. Driven over IPC:
//   → {type:'connect', port, users:[{nick, login}], password, localAddress}
//   ← {type:'connected', open, failures, firstError}
//   → {type:'close'}  ← {type:'closed'}, then exits
// Server PINGs are answered (RawIrc does it), so the connections stay registered.
import { type RawIrc, registerIrc } from './irc.js';
import { pool } from './ws.js';

const clients: RawIrc[] = [];

interface ConnectMessage {
  type: 'connect';
  port: number;
  users: { nick: string; login: string }[];
  password: string;
  localAddress?: string;
}

process.on('message', (message: ConnectMessage | { type: 'close' }) => {
  if (message.type === 'connect') {
    let failures = 0;
    let firstError = '';
    void pool(message.users, 100, async (u) => {
      try {
        clients.push(
          await registerIrc('127.0.0.1', message.port, {
            nick: u.nick,
            pass: `${u.login}:${message.password}`,
            ...(message.localAddress && { localAddress: message.localAddress }),
          }),
        );
      } catch (error) {
        failures++;
        firstError ||= (error as Error).message;
      }
    }).then(() => process.send?.({ type: 'connected', open: clients.filter((c) => !c.closed).length, failures, firstError }));
  } else if (message.type === 'close') {
    const closing = clients.map((c) => new Promise<void>((resolve) => (c.closed ? resolve() : c.socket.once('close', () => resolve()))));
    for (const c of clients) c.close();
    void Promise.race([Promise.all(closing), new Promise((resolve) => setTimeout(resolve, 10_000))]).then(() => {
      process.send?.({ type: 'closed' });
      process.disconnect();
    });
  }
});
