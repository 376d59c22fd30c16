import { once } from 'node:events';
import type { Writable } from 'node:stream';
import zlib from 'node:zlib';

/**
 * A streaming ZIP writer for archives: entries written one after the other, each deflated
 * (level 1) as it streams, with a data descriptor (so sizes and CRC need not be known up
 * front) and always in ZIP64 form (so entries and archives may pass 4 GiB). It replaces yazl on
 * export's hot path: yazl runs each entry through five piped streams and a CRC-32 in
 * JavaScript; here the CRC is zlib's native one and the deflate stream is fed in large pieces
 * and allowed to run ahead on the libuv threadpool while the next records are serialised.
 * Readers (yauzl, unzip, 7-Zip) see an ordinary ZIP64 archive.
 */

const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_HEADER = 0x02014b50;
const ZIP64_END = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const END = 0x06054b50;
/** Bit 3: CRC and sizes follow the data; bit 11: the name is UTF-8. */
const FLAGS = (1 << 3) | (1 << 11);
const DEFLATE = 8;
const STORED = 0;
const ZIP64_VERSION = 45;
/** Made by: Unix (3), spec 6.3; files readable by all, writable by the owner. */
const MADE_BY = (3 << 8) | 63;
const FILE_MODE = 0o100644;
/** Deflate's output pieces (one threadpool job per megabyte written), and how far its input may run ahead of it. */
const DEFLATE_CHUNK = 1024 * 1024;
const DEFLATE_AHEAD = 4 * 1024 * 1024;

const crc32: (data: Buffer, value: number) => number = (zlib as { crc32?: (d: Buffer, v: number) => number }).crc32 ?? jsCrc32;

interface Written {
  readonly name: Buffer;
  readonly method: number;
  readonly offset: number;
  readonly crc: number;
  readonly compressed: number;
  readonly size: number;
}

export class ZipWriter {
  private offset = 0;
  private readonly entries: Written[] = [];
  private readonly time: number;
  private readonly date: number;
  /** Rejects when the output fails (disk full, …), so no wait on it can hang. */
  private readonly failed: Promise<never>;

  constructor(private readonly out: Writable, now = new Date()) {
    this.failed = new Promise((_, reject) => out.once('error', reject));
    this.failed.catch(() => {});
    // DOS time in local time, as zip tools show it; years before 1980 do not exist there.
    const year = Math.max(1980, now.getFullYear());
    this.time = (now.getHours() << 11) | (now.getMinutes() << 5) | (now.getSeconds() >> 1);
    this.date = ((year - 1980) << 9) | ((now.getMonth() + 1) << 5) | now.getDate();
  }

  /**
   * Starts an entry; write its data through the returned writer and end it before the next.
   * `stored`: the bytes go in as they are (method 0), for content that is compressed already
   * (the files of messages: documents, images, archives), where deflate costs time for nothing.
   */
  async entry(name: string, options: { stored?: boolean } = {}): Promise<EntryWriter> {
    const method = options.stored ? STORED : DEFLATE;
    const nameBytes = Buffer.from(name, 'utf8');
    const header = Buffer.alloc(30);
    header.writeUInt32LE(LOCAL_HEADER, 0);
    header.writeUInt16LE(ZIP64_VERSION, 4);
    header.writeUInt16LE(FLAGS, 6);
    header.writeUInt16LE(method, 8);
    header.writeUInt16LE(this.time, 10);
    header.writeUInt16LE(this.date, 12);
    // CRC and sizes (14–25) stay zero: the data descriptor carries them.
    header.writeUInt16LE(nameBytes.length, 26);
    const offset = this.offset;
    await this.write(Buffer.concat([header, nameBytes]));
    return new EntryWriter(this.out, this.failed, method === STORED, async (crc, compressed, size) => {
      this.offset += compressed;
      const descriptor = Buffer.alloc(24);
      descriptor.writeUInt32LE(DATA_DESCRIPTOR, 0);
      descriptor.writeUInt32LE(crc, 4);
      descriptor.writeBigUInt64LE(BigInt(compressed), 8);
      descriptor.writeBigUInt64LE(BigInt(size), 16);
      await this.write(descriptor);
      this.entries.push({ name: nameBytes, method, offset, crc, compressed, size });
    });
  }

  /** Writes a whole entry from memory. */
  async add(name: string, data: Buffer): Promise<void> {
    const entry = await this.entry(name);
    await entry.write(data);
    await entry.end();
  }

  /** Writes the central directory and the end records, and ends the output stream. */
  async finish(): Promise<void> {
    const start = this.offset;
    for (const e of this.entries) await this.write(this.centralRecord(e));
    const length = this.offset - start;
    const zip64End = Buffer.alloc(56);
    zip64End.writeUInt32LE(ZIP64_END, 0);
    zip64End.writeBigUInt64LE(44n, 4);
    zip64End.writeUInt16LE(MADE_BY, 12);
    zip64End.writeUInt16LE(ZIP64_VERSION, 14);
    zip64End.writeBigUInt64LE(BigInt(this.entries.length), 24);
    zip64End.writeBigUInt64LE(BigInt(this.entries.length), 32);
    zip64End.writeBigUInt64LE(BigInt(length), 40);
    zip64End.writeBigUInt64LE(BigInt(start), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(ZIP64_LOCATOR, 0);
    locator.writeBigUInt64LE(BigInt(this.offset), 8);
    locator.writeUInt32LE(1, 16);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(END, 0);
    end.writeUInt16LE(0xffff, 8);
    end.writeUInt16LE(0xffff, 10);
    end.writeUInt32LE(0xffffffff, 12);
    end.writeUInt32LE(0xffffffff, 16);
    await this.write(Buffer.concat([zip64End, locator, end]));
    this.out.end();
    await Promise.race([once(this.out, 'finish'), this.failed]);
  }

  private centralRecord(e: Written): Buffer {
    const record = Buffer.alloc(46);
    record.writeUInt32LE(CENTRAL_HEADER, 0);
    record.writeUInt16LE(MADE_BY, 4);
    record.writeUInt16LE(ZIP64_VERSION, 6);
    record.writeUInt16LE(FLAGS, 8);
    record.writeUInt16LE(e.method, 10);
    record.writeUInt16LE(this.time, 12);
    record.writeUInt16LE(this.date, 14);
    record.writeUInt32LE(e.crc, 16);
    record.writeUInt32LE(0xffffffff, 20);
    record.writeUInt32LE(0xffffffff, 24);
    record.writeUInt16LE(e.name.length, 28);
    record.writeUInt16LE(28, 30);
    record.writeUInt32LE((FILE_MODE << 16) >>> 0, 38);
    record.writeUInt32LE(0xffffffff, 42);
    const zip64 = Buffer.alloc(28);
    zip64.writeUInt16LE(0x0001, 0);
    zip64.writeUInt16LE(24, 2);
    zip64.writeBigUInt64LE(BigInt(e.size), 4);
    zip64.writeBigUInt64LE(BigInt(e.compressed), 12);
    zip64.writeBigUInt64LE(BigInt(e.offset), 20);
    return Buffer.concat([record, e.name, zip64]);
  }

  private async write(buffer: Buffer): Promise<void> {
    this.offset += buffer.length;
    if (!this.out.write(buffer)) await Promise.race([once(this.out, 'drain'), this.failed]);
  }
}

/** One entry's data: CRC and size of what goes in, deflated into the archive as it comes (or stored as it is). */
export class EntryWriter {
  private crc = 0;
  private size = 0;
  private compressed = 0;
  // zlib streams pass stream options on to their Transform, though the typings do not say so.
  private readonly deflate: zlib.DeflateRaw | null;
  private readonly done: Promise<void>;

  constructor(
    private readonly out: Writable,
    private readonly failed: Promise<never>,
    stored: boolean,
    private readonly onEnd: (crc: number, compressed: number, size: number) => Promise<void>,
  ) {
    if (stored) {
      this.deflate = null;
      this.done = Promise.resolve();
      return;
    }
    this.deflate = zlib.createDeflateRaw({ level: 1, memLevel: 9, chunkSize: DEFLATE_CHUNK, highWaterMark: DEFLATE_AHEAD } as zlib.ZlibOptions);
    const deflate = this.deflate;
    deflate.on('data', (chunk: Buffer) => {
      this.compressed += chunk.length;
      if (!out.write(chunk)) {
        deflate.pause();
        out.once('drain', () => deflate.resume());
      }
    });
    // once() rejects on 'error', so a failing deflate fails the entry.
    this.done = Promise.race([once(deflate, 'end').then(() => undefined), failed]);
    this.done.catch(() => {});
  }

  async write(data: Buffer): Promise<void> {
    this.crc = crc32(data, this.crc);
    this.size += data.length;
    if (!this.deflate) {
      this.compressed += data.length;
      if (!this.out.write(data)) await Promise.race([once(this.out, 'drain'), this.failed]);
      return;
    }
    if (!this.deflate.write(data)) await Promise.race([once(this.deflate, 'drain'), this.done]);
  }

  async end(): Promise<void> {
    this.deflate?.end();
    await this.done;
    await this.onEnd(this.crc >>> 0, this.compressed, this.size);
  }
}

let table: Int32Array | null = null;
/** CRC-32 (IEEE) for Node versions before zlib.crc32 (20.15). */
function jsCrc32(data: Buffer, value: number): number {
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let crc = ~value;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}
