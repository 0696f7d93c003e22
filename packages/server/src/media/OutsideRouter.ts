import type { types as ms } from '@x/mediasoup';
import type { Room } from '../media/Room.js';

/**
 * A room's router on the worker whose ports lie outside rtcMinPort–rtcMaxPort
 * (mediasoup v2: an RtpStreamer given a `localIP` binds any port outside the
 * range; mediasoup 3.8 cannot choose a plain transport's port, so the
 * streamer goes to a worker started with the other ports). Producers are
 * piped to it as its consumers need them. Started on first use; closed with
 * the room.
 */
export class OutsideRouter {
  static readonly #byRoom = new WeakMap<Room, OutsideRouter>();

  readonly #room: Room;
  #router: Promise<ms.Router> | undefined;

  private constructor(room: Room) {
    this.#room = room;
    room.once('close', () => {
      this.#router?.then((r) => r.close()).catch(() => undefined);
      OutsideRouter.#byRoom.delete(room);
    });
  }

  /** The outside router of a room. */
  static of(room: Room): OutsideRouter {
    let outside = OutsideRouter.#byRoom.get(room);
    if (!outside) {
      outside = new OutsideRouter(room);
      OutsideRouter.#byRoom.set(room, outside);
    }
    return outside;
  }

  /** The router (consumers there get their producer piped in by the room). */
  router(): Promise<ms.Router> {
    if (!this.#router) {
      const codecs = this.#room.router.rtpCapabilities.codecs?.filter(
        (c) => !/\/rtx$/i.test(c.mimeType),
      );
      const created = this.#room.context.pool
        .outsideRangeWorker()
        .then((worker) => worker.createRouter({ mediaCodecs: codecs }));
      this.#router = created;
      created
        .then((router) =>
          // Its worker died: the next streamer starts afresh on a new one.
          router.observer.once('close', () => {
            if (this.#router === created) this.#router = undefined;
          }),
        )
        .catch(() => {
          if (this.#router === created) this.#router = undefined;
        });
    }
    return this.#router;
  }
}
