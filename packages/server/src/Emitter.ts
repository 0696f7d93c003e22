export { Emitter, type EventMap } from '@x/shared';
