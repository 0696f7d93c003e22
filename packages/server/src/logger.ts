import createDebug from 'debug';

/** Log functions of one module, under the `x:server:<module>` debug namespace. */
export interface Logger {
  debug: createDebug.Debugger;
  warn: createDebug.Debugger;
  error: createDebug.Debugger;
}

/** Creates a logger; enable it with `DEBUG=x:server:*`. */
export function logger(module: string): Logger {
  return {
    debug: createDebug(`x:server:${module}`),
    warn: createDebug(`x:server:WARN:${module}`),
    error: createDebug(`x:server:ERROR:${module}`),
  };
}
