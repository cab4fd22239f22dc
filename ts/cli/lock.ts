/**
 * One writer per run directory: `DIR/.sqrtk.lock`, created exclusively (the `wx` flag), holds the
 * owner's pid and host. It is removed when the process exits, however it exits (normally, with an
 * error or on a signal); a lock whose process no longer exists (after SIGKILL or a crash) is stale
 * and taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SqrtkError } from '../errors.js';
import { writeError } from '../node/atomic.js';

export const LOCK_NAME = '.sqrtk.lock';

/** Locks `dir` (creating it) for this process; throws at once if another process holds it. */
export function lockRunDirectory(dir: string): () => void {
  const path = join(dir, LOCK_NAME);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (cause) {
    throw writeError(dir, cause);
  }
  if (!tryCreate(path)) {
    const owner = readOwner(path);
    if (owner && !isAlive(owner)) {
      rmSync(path, { force: true }); // stale: its process is gone
      if (tryCreate(path)) return releaser(path);
    }
    const who = owner
      ? `process ${owner.pid}${owner.foreign ? ` on ${owner.host}` : ''}`
      : 'another process';
    throw new SqrtkError(
      'E_BUSY',
      `${dir} is being written by ${who}; wait for it or choose another --out`,
    );
  }
  return releaser(path);
}

/** Whether a live process holds the lock of `dir` (a stale lock does not count). */
export function isLocked(dir: string): boolean {
  const owner = readOwner(join(dir, LOCK_NAME));
  return owner !== undefined && isAlive(owner);
}

/** Creates the lock file with our pid and host; false when it exists already. */
function tryCreate(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw writeError(path, cause);
  }
  try {
    writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname() }) + '\n');
  } catch (cause) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw writeError(path, cause);
  }
  closeSync(fd);
  return true;
}

interface Owner {
  pid: number;
  host: string;
  foreign: boolean;
}

/** The lock's owner; undefined while its writer has not finished writing it (or it is damaged). */
function readOwner(path: string): Owner | undefined {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const { pid, host } = JSON.parse(readFileSync(path, 'utf8'));
      if (Number.isSafeInteger(pid) && pid > 0)
        return { pid, host: String(host), foreign: host !== hostname() };
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25); // being written: look again
  }
  return undefined;
}

/** Whether the lock's process still runs (a process on another host is assumed to). */
function isAlive(owner: Owner): boolean {
  if (owner.foreign) return true;
  if (owner.pid === process.pid) return false; // an earlier process that had our pid
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function releaser(path: string): () => void {
  const release = () => {
    process.off('exit', release);
    rmSync(path, { force: true });
  };
  process.on('exit', release);
  return release;
}
