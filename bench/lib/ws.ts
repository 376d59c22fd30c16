// Minimal WebSocket client helpers for load generation (raw `ws`, little per-frame work).
import WebSocket from 'ws';

export const wsUrl = (baseUrl: string): string => `${baseUrl.replace(/^http/, 'ws')}/api/v1/ws`;

/** Opens an authenticated connection (bearer token on the upgrade) and waits for the server's "ready" frame. */
export function connect(baseUrl: string, token: string, options: { localAddress?: string; timeoutMs?: number } = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(baseUrl), {
      headers: { authorization: `Bearer ${token}` },
      perMessageDeflate: false,
      ...(options.localAddress && { localAddress: options.localAddress }),
    });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no "ready" frame in time'));
    }, options.timeoutMs ?? 30_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    ws.once('error', fail);
    ws.once('unexpected-response', (_req, res) => fail(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    ws.once('message', (data) => {
      clearTimeout(timer);
      ws.off('error', fail);
      const frame = JSON.parse(data.toString()) as { type: string };
      if (frame.type !== 'ready') {
        ws.terminate();
        reject(new Error(`expected "ready", got ${data.toString().slice(0, 200)}`));
        return;
      }
      ws.on('error', () => undefined);
      resolve(ws);
    });
  });
}

/** Sends a frame with a ref and resolves with the reply carrying that ref (other frames are ignored meanwhile). */
export function call(ws: WebSocket, frame: Record<string, unknown>, timeoutMs = 30_000): Promise<any> {
  const ref = `c${Math.random().toString(36).slice(2)}`;
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      const reply = JSON.parse(data.toString()) as { ref?: unknown; type: string };
      if (reply.ref !== ref) return;
      clearTimeout(timer);
      ws.off('message', onMessage);
      if (reply.type === 'error') reject(new Error(`server error: ${data.toString().slice(0, 300)}`));
      else resolve(reply);
    };
    const timer = setTimeout(() => {
      ws.off('message', onMessage);
      reject(new Error(`no reply to ${JSON.stringify(frame).slice(0, 100)} in time`));
    }, timeoutMs);
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ ...frame, ref }));
  });
}

/** Runs `task` over `items` with at most `limit` at a time. */
export async function pool<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Closes every socket and waits (bounded) for the closes to finish. */
export async function closeAll(sockets: readonly WebSocket[], timeoutMs = 10_000): Promise<void> {
  await Promise.race([
    Promise.all(
      sockets.map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            ws.once('close', () => resolve());
            ws.close();
          }),
      ),
    ),
    new Promise((resolve) => setTimeout(resolve, timeoutMs)),
  ]);
  for (const ws of sockets) if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
}
