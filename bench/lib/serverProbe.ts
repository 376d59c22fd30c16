// Preloaded into the benchmarked server process (node --expose-gc --import …/serverProbe.js):
// answers {id, gc} messages on the IPC channel with the process's memory and CPU time. It
// touches nothing of pchat, and holds no reference that keeps the process alive.
import { readdirSync, readFileSync } from 'node:fs';

const maxOpenFiles = (): number | null => {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === undefined ? null : Number(soft);
};

if (process.send) {
  process.on('message', (message: { id: number; gc: boolean }) => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (message.gc && gc) {
      // Twice: the first pass can leave weakly held objects for the second.
      gc();
      gc();
    }
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    let openFiles = -1;
    try {
      openFiles = readdirSync('/proc/self/fd').length;
    } catch {
      // not Linux
    }
    process.send?.({
      id: message.id,
      probe: {
        rss: memory.rss,
        heapUsed: memory.heapUsed,
        heapTotal: memory.heapTotal,
        external: memory.external,
        arrayBuffers: memory.arrayBuffers,
        cpuMs: (cpu.user + cpu.system) / 1000,
        openFiles,
        maxOpenFiles: (() => {
          try {
            return maxOpenFiles();
          } catch {
            return null;
          }
        })(),
      },
    });
  });
  // After adding the listener, which re-references the channel.
  process.channel?.unref();
}
