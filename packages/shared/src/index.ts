/**
 * What @x/server and @x/client share. Private: tsup bundles it into each
 * package, so it is never a dependency of a published package.
 */
export { CLOSE, CLOSE_CODES, type CloseCode, isFinalClose } from './closeCodes.js';
export { Emitter, type EventMap } from './Emitter.js';
export { type Logger, logger } from './logger.js';
export { ObservedEmitter } from './ObservedEmitter.js';
export { Observer } from './Observer.js';
