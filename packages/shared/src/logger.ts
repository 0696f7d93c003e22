import createDebug from 'debug';

/** Log functions of one module. */
export interface Logger {
  debug: createDebug.Debugger;
  warn: createDebug.Debugger;
  error: createDebug.Debugger;
}

/**
 * A logger under the `debug` namespace `<scope>:<module>` (enable with
 * `DEBUG=x:server:*`); warnings and errors go to `<scope>:WARN:<module>` and
 * `<scope>:ERROR:<module>`, so `DEBUG=*WARN*,*ERROR*` shows only those.
 */
export function logger(name: string): Logger {
  const at = name.lastIndexOf(':');
  const scope = at < 0 ? 'x' : name.slice(0, at);
  const module = at < 0 ? name : name.slice(at + 1);
  return {
    debug: createDebug(`${scope}:${module}`),
    warn: createDebug(`${scope}:WARN:${module}`),
    error: createDebug(`${scope}:ERROR:${module}`),
  };
}
