// Progress of the worker compile: a step count, a percentage and the time
// elapsed, printed every 10 seconds (and at each quarter), so a build of
// several minutes never goes quiet for longer than that.
//
// pnpm shows an install script's output; npm (unless --foreground-scripts)
// and yarn hide it until the script fails. So when the output is not a
// terminal and the package manager is not pnpm, the same lines also go to
// the user's terminal, if there is one.
import { closeSync, openSync, writeSync } from 'node:fs';

export const INTERVAL_MS = 10_000;

export function formatElapsed(ms) {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

function terminal(env) {
  if (process.stdout.isTTY) return undefined;
  if ((env.npm_config_user_agent ?? '').startsWith('pnpm/')) return undefined;
  if (env.npm_config_foreground_scripts === 'true') return undefined;
  try {
    return openSync('/dev/tty', 'w');
  } catch {
    return undefined; // no terminal (CI): stdout only
  }
}

/** A line printer for the build: stdout, and the terminal when the package manager hides stdout. */
export function createReporter(env = process.env) {
  const tty = terminal(env);
  return {
    line(text) {
      const line = `@x/mediasoup: ${text}\n`;
      process.stdout.write(line);
      if (tty !== undefined) {
        try {
          writeSync(tty, line);
        } catch {
          // the terminal went away; stdout still has it
        }
      }
    },
    close() {
      if (tty !== undefined) closeSync(tty);
    },
  };
}

/**
 * Counts compile steps and reports them: `step()` for each object compiled,
 * `phase(name)` when linking starts. Returns a stop function.
 */
export function trackProgress(reporter, total, label = 'compiling mediasoup-worker') {
  const started = Date.now();
  let done = 0;
  let quarter = 0;
  let phase = '';
  const report = () => {
    const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0;
    const what = phase || `${done}/${total} objects (${pct}%)`;
    reporter.line(`${label}: ${what}, ${formatElapsed(Date.now() - started)}`);
  };
  const timer = setInterval(report, INTERVAL_MS);
  return {
    step() {
      done++;
      const q = total > 0 ? Math.floor((done / total) * 4) : 0;
      if (q > quarter && q < 4) {
        quarter = q;
        report();
      }
    },
    phase(name) {
      phase = name;
    },
    get done() {
      return done;
    },
    stop() {
      clearInterval(timer);
      return Date.now() - started;
    },
  };
}
