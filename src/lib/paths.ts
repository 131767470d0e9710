import fs from 'node:fs';
import path from 'node:path';

/** The project root: the nearest folder above this file holding package.json (works from src/ and dist/src/). */
function findRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

export const ROOT = findRoot(__dirname);

export function rootPath(...parts: string[]): string {
  const joined = path.join(...parts);
  return path.isAbsolute(joined) ? joined : path.join(ROOT, joined);
}

/** A path as people read it: relative to the project root when inside it, absolute otherwise. */
export function shownPath(file: string): string {
  const relative = path.relative(ROOT, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
