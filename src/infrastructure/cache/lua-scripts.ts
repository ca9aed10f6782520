/**
 * The Lua scripts, read from the `.lua` files next to this module:
 * src/infrastructure/cache/scripts/ under tsx, dist/infrastructure/cache/scripts/
 * once compiled (the build copies them; tsc does not). Read on first use, so
 * a build that forgot them fails at the first RedisStatementCache, loudly.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface LuaScripts {
  /** Compare-and-set fill of one statement key (scripts/fill.lua). */
  readonly fill: string;
  /** Token-checked delete of one lease key (scripts/release-lease.lua). */
  readonly releaseLease: string;
}

export const LUA_SCRIPT_FILES = { fill: 'fill.lua', releaseLease: 'release-lease.lua' } as const;

let loaded: LuaScripts | undefined;

export function scriptPath(file: string): string {
  return fileURLToPath(new URL(`./scripts/${file}`, import.meta.url));
}

function read(file: string): string {
  const path = scriptPath(file);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `Lua script ${path} is missing: the build must copy src/infrastructure/cache/scripts/ to dist/infrastructure/cache/scripts/`,
      { cause: error },
    );
  }
}

export function luaScripts(): LuaScripts {
  loaded ??= { fill: read(LUA_SCRIPT_FILES.fill), releaseLease: read(LUA_SCRIPT_FILES.releaseLease) };
  return loaded;
}
