import createDebug from 'debug';

/** Log functions of one module, under the `x:client:<module>` debug namespace. */
export function logger(module: string) {
  return {
    debug: createDebug(`x:client:${module}`),
    warn: createDebug(`x:client:WARN:${module}`),
    error: createDebug(`x:client:ERROR:${module}`),
  };
}
