// Append-only log that makes commits durable. One record a line: `<crc32 hex> <json>\n`.
// Appends are group-committed: records queued while a write is in flight go out together in the
// next write, followed by one fdatasync, and each append resolves only after its sync (so
// transact-ok is never sent for a commit a crash could lose). A torn last record (a crash mid-
// write) fails its checksum or lacks its newline: it is dropped with a warning and the file is
// truncated to the last whole record. Damage before the last record is refused loudly.
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';

export type LogRecord = { k: string; [key: string]: unknown };

export class DurableLog {
  private queue: { line: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  private flushing: Promise<void> | null = null;

  private constructor(
    private readonly file: FileHandle,
    readonly path: string,
  ) {}

  /** Opens (creating if needed) and returns the log with the records already in it. */
  static async open(
    path: string,
    warn: (msg: string) => void = console.warn,
  ): Promise<{ log: DurableLog; records: LogRecord[] }> {
    mkdirSync(dirname(path), { recursive: true });
    const records = existsSync(path) ? readRecords(path, warn) : [];
    const file = await open(path, 'a');
    return { log: new DurableLog(file, path), records };
  }

  append(record: LogRecord): Promise<void> {
    const json = JSON.stringify(record);
    const line = `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
    return new Promise((resolve, reject) => {
      this.queue.push({ line, resolve, reject });
      if (!this.flushing) this.flushing = this.flush();
    });
  }

  private async flush() {
    while (this.queue.length) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.file.write(batch.map((b) => b.line).join(''));
        await this.file.datasync();
        batch.forEach((b) => b.resolve());
      } catch (e) {
        batch.forEach((b) => b.reject(e as Error));
      }
    }
    this.flushing = null;
  }

  async close() {
    await this.flushing;
    await this.file.close();
  }
}

function readRecords(path: string, warn: (msg: string) => void): LogRecord[] {
  const buf = readFileSync(path);
  const records: LogRecord[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const nl = buf.indexOf(0x0a, offset);
    const end = nl === -1 ? buf.length : nl;
    const record = nl === -1 ? null : parseLine(buf.subarray(offset, end).toString('utf8'));
    if (!record) {
      const isLast = nl === -1 || nl === buf.length - 1;
      if (!isLast) {
        throw new Error(
          `${path} is damaged at byte ${offset} (not at its end). Move it aside to start empty, or restore a backup.`,
        );
      }
      warn(`instant-local: dropped a torn last record at byte ${offset} of ${path} (an interrupted write).`);
      const fd = openSync(path, 'r+');
      ftruncateSync(fd, offset);
      closeSync(fd);
      break;
    }
    records.push(record);
    offset = end + 1;
  }
  return records;
}

function parseLine(line: string): LogRecord | null {
  const space = line.indexOf(' ');
  if (space !== 8) return null;
  const json = line.slice(9);
  if (crc32(json).toString(16).padStart(8, '0') !== line.slice(0, 8)) return null;
  try {
    return JSON.parse(json) as LogRecord;
  } catch {
    return null;
  }
}
