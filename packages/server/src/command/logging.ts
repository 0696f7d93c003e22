import { format } from 'node:util';
import createDebug from 'debug';
import { type Logger, pino } from 'pino';
import pretty from 'pino-pretty';
import type { Peer } from '../media/Peer.js';
import type { Room } from '../media/Room.js';
import type { Server } from '../Server.js';
import type { ServerConfig } from './config.js';

/** The `debug` namespaces each level shows (the server's, and the mediasoup engine's). */
const NAMESPACES: Record<ServerConfig['logLevel'], string> = {
  debug: 'x:*,mediasoup:*',
  info: 'x:*WARN*,x:*ERROR*,mediasoup:WARN*,mediasoup:ERROR*',
  warn: 'x:*WARN*,x:*ERROR*,mediasoup:WARN*,mediasoup:ERROR*',
  error: 'x:*ERROR*,mediasoup:ERROR*',
};

/**
 * The server command's logger (pino): JSON lines on stdout, or readable
 * lines with `pretty` (`--dev`). The modules' own logs (the `debug`
 * package's namespaces, the engine's too) go through it at their level, with
 * the module in `module`; `DEBUG` in the environment still picks namespaces.
 */
export function createLogger(level: ServerConfig['logLevel'], readable: boolean): Logger {
  const logger = readable
    ? pino({ level, base: undefined }, pretty({ colorize: process.stdout.isTTY, sync: true }))
    : pino({ level, base: { pid: process.pid } });
  if (!process.env.DEBUG) createDebug.enable(NAMESPACES[level]);
  // Each module line as one record: the namespace names the module and its level.
  createDebug.formatArgs = () => undefined;
  createDebug.log = function (this: createDebug.Debugger, ...args: unknown[]) {
    const namespace = this.namespace;
    const record = { module: namespace.replace(/:(WARN|ERROR)(?=:|$)/, '') };
    const message = format(...args);
    if (/:ERROR(:|$)/.test(namespace)) logger.error(record, message);
    else if (/:WARN(:|$)/.test(namespace)) logger.warn(record, message);
    else logger.debug(record, message);
  };
  return logger;
}

/**
 * Logs what happens in the rooms at `info`, with the ids an operator
 * searches by: room, peer, transport, producer.
 */
export function logRooms(server: Server, logger: Logger): void {
  const watchPeer = (room: Room, peer: Peer) => {
    const at = { room: room.id, peer: peer.name };
    logger.info(at, 'peer joined');
    peer.observer.on('newtransport', (transport) => {
      logger.info(
        { ...at, transport: transport.id, direction: transport.direction },
        'transport created',
      );
      transport.observer.once('close', () =>
        logger.info({ ...at, transport: transport.id }, 'transport closed'),
      );
    });
    peer.observer.on('newproducer', (producer) => {
      logger.info({ ...at, producer: producer.id, kind: producer.kind }, 'producer published');
      producer.observer.once('close', () =>
        logger.info({ ...at, producer: producer.id }, 'producer closed'),
      );
    });
    peer.observer.once('close', (closing) =>
      logger.info(
        { ...at, reason: closing.originator === 'remote' ? 'left' : closing.reason },
        'peer left',
      ),
    );
  };
  const watchRoom = (room: Room) => {
    logger.info({ room: room.id }, 'room started');
    room.observer.on('newpeer', (peer) => watchPeer(room, peer));
    room.observer.once('close', () => logger.info({ room: room.id }, 'room finished'));
  };
  for (const room of server.rooms) watchRoom(room);
  server.observer.on('newroom', watchRoom);
}
