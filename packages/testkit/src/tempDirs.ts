// Temp dirs named after the process that made them, so that the next run
// can remove those a killed run left (a browser profile, a TURN server's
// config and log, a recordings dir).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether a process of this id lives (EPERM: it does, someone else's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Makes `<tmpdir>/<prefix><pid base 36>-XXXXXX`. `prefix` ends with '-' and
 * is one of this kit's own (e.g. 'x-chromium-'), so that
 * {@link staleTempDirs} finds what a run that is gone left.
 */
export function ownTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}${process.pid.toString(36)}-`));
}

/**
 * The dirs {@link ownTempDir} made with `prefix` for processes that are
 * gone, and for this process's id but not in `live` (this process's own, in
 * use): a run killed earlier whose id this process now has.
 */
export function staleTempDirs(prefix: string, live: ReadonlySet<string> = new Set()): string[] {
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([0-9a-z]+)-`);
  const stale: string[] = [];
  for (const name of readdirSync(tmpdir())) {
    const m = pattern.exec(name);
    if (!m) continue;
    const dir = join(tmpdir(), name);
    const pid = Number.parseInt(m[1]!, 36);
    if (pid === process.pid ? !live.has(dir) : !processAlive(pid)) stale.push(dir);
  }
  return stale;
}

/** Removes the dirs of `prefix` that {@link staleTempDirs} finds; returns them. */
export function removeStaleTempDirs(prefix: string, live?: ReadonlySet<string>): string[] {
  const stale = staleTempDirs(prefix, live);
  for (const dir of stale) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // another run removes it at the same time, or it is not ours to remove
    }
  }
  return stale;
}
