// tsc compiles TypeScript only; files the code loads at run time (Lua scripts) are copied beside it.
import { cpSync } from 'node:fs';

cpSync('src/infrastructure/cache/scripts', 'dist/infrastructure/cache/scripts', { recursive: true });
