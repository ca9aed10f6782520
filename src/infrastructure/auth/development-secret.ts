import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface DevelopmentSecret {
  readonly secret: string;
  readonly path: string;
  /** True when this call generated it. */
  readonly created: boolean;
}

export function developmentSecretPath(dataDir: string): string {
  return join(dataDir, 'auth', 'development-jwt-secret');
}

/**
 * The HS256 secret used outside production when none is configured: 32
 * random bytes (base64url text) in DATA_DIR/auth/development-jwt-secret, mode
 * 0600, generated once and reused by every later start and by `npm run
 * token`. Concurrent starts agree on one file: it is written under a private
 * name and linked into place, and whoever loses the race reads the winner's.
 */
export async function ensureDevelopmentSecret(dataDir: string): Promise<DevelopmentSecret> {
  const path = developmentSecretPath(dataDir);
  const existing = await readSecret(path);
  if (existing !== null) return { secret: existing, path, created: false };
  await mkdir(join(dataDir, 'auth'), { recursive: true, mode: 0o700 });
  const draft = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`;
  await writeFile(draft, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(draft, 0o600);
  let created = true;
  try {
    await link(draft, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    created = false;
  } finally {
    await unlink(draft);
  }
  const secret = await readSecret(path);
  if (secret === null) throw new Error(`${path} is empty`);
  return { secret, path, created };
}

async function readSecret(path: string): Promise<string | null> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    return text === '' ? null : text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
