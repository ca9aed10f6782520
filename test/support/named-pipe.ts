import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A named pipe whose reader reads only when told to (a pipe of Node's own
 * would keep reading into memory): for a writer whose reader falls behind.
 * `writeFd` is the blocking write end, for a destination or a child's stdout.
 */
export class NamedPipe {
  readonly writeFd: number;
  private readonly readFd: number;
  private readonly dir: string;
  private text = '';

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'billing-pipe-'));
    const path = join(this.dir, 'pipe');
    execFileSync('mkfifo', [path]);
    this.readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    this.writeFd = openSync(path, constants.O_WRONLY);
  }

  /** Reads whatever the pipe holds now; returns everything read so far. */
  drain(): string {
    const chunk = Buffer.alloc(64 * 1024);
    for (;;) {
      let read: number;
      try {
        read = readSync(this.readFd, chunk, 0, chunk.length, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return this.text;
        throw error;
      }
      if (read === 0) return this.text;
      this.text += chunk.toString('utf8', 0, read);
    }
  }

  /** Keeps reading until `done` holds for what was read, or the time is up; returns what was read. */
  async until(done: (text: string) => boolean, timeoutMs: number): Promise<string> {
    for (const deadline = Date.now() + timeoutMs; !done(this.drain()) && Date.now() < deadline; ) await sleep(20);
    return this.text;
  }

  /** Closes the write end (a child given it keeps its own copy). */
  closeWriter(): void {
    closeSync(this.writeFd);
  }

  close(): void {
    closeSync(this.readFd);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
