// The Python package as a user installs it (the wheel that bindings/python
// builds, in a fresh virtual environment that sees Debian's aiortc, PyAV,
// protobuf and websockets), and its scripts run as processes whose JSON
// lines the tests read.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const python = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../bindings/python');
/** The Python package's examples and test scripts. */
export const pythonExamples = join(python, 'examples');
export const pythonProbe = join(python, 'tests/media_probe.py');

/** A virtual environment with the x-signaling wheel installed; `remove()` deletes it. */
export interface PythonVenv {
  python: string;
  remove(): void;
}

function mustRun(command: string, args: string[], what: string, packages: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(
      `${what} failed (install the Debian packages ${packages}; pnpm system-deps does): ${result.stderr || result.error?.message}`,
    );
}

/** Makes the venv (with --system-site-packages: aiortc and PyAV come from Debian) and installs the wheel. */
export function pythonVenv(): PythonVenv {
  const wheels = readdirSync(join(python, 'dist')).filter((f) => f.endsWith('.whl'));
  if (wheels.length !== 1)
    throw new Error(`expected one wheel in bindings/python/dist, found ${wheels.length}: build it`);
  mustRun(
    '/usr/bin/python3',
    ['-c', 'import aiortc, av, numpy'],
    'importing aiortc, av and numpy',
    'python3-aiortc python3-av',
  );
  const dir = mkdtempSync(join(tmpdir(), 'x-demo-python-'));
  mustRun(
    '/usr/bin/python3',
    ['-m', 'venv', '--system-site-packages', join(dir, 'venv')],
    'python3 -m venv',
    'python3-venv',
  );
  const bin = join(dir, 'venv/bin/python');
  mustRun(
    bin,
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--no-index',
      '--no-cache-dir',
      join(python, 'dist', wheels[0]!),
    ],
    'pip install of the x-signaling wheel',
    'python3-protobuf python3-websockets',
  );
  return { python: bin, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A Python process: its output so far, the JSON lines it printed, and a way to end it. */
export interface PythonProcess {
  child: ChildProcess;
  output: () => string;
  lines: () => Record<string, unknown>[];
  /** SIGTERM (and stdin closed): it leaves the room; killed if it has not exited within 3 s. */
  stop(): Promise<void>;
}

/** Runs a Python script from a folder of its own (x_signaling must come from the venv, not src/). */
export function runPython(venv: PythonVenv, script: string, args: string[]): PythonProcess {
  const child = spawn(venv.python, [script, ...args], {
    cwd: tmpdir(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => {
    output += d;
  });
  child.stderr!.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    child,
    output: () => output,
    lines: () =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    async stop() {
      child.stdin!.end();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
