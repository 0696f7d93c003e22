import type { types as ms } from '@x/mediasoup';
import { logger } from '@x/shared';

const log = logger('x:server:RouterPipes');

/** A producer piped from its router to another: the feed on its side, the copy on the other. */
export interface ProducerPipe {
  /** The pipe consumer of the original, on the original's router. Created paused. */
  feed: ms.Consumer;
  /** The original's copy on the other router (same id). */
  copy: ms.Producer;
}

type Ends = Map<ms.Router, ms.PipeTransport>;

/**
 * Pipes producers between the routers of one room, as mediasoup's
 * `router.pipeToRouter()` does (a pair of connected PipeTransports on
 * loopback per pair of routers, shared by every producer piped either way),
 * with one difference: the pipe's consumer is created paused. A pipe consumer
 * asks the producer for a key frame when it starts; with `pipeToRouter` that
 * happened when the pipe was set up, before any consumer on the far side could
 * use the frame, and the far consumer's own request then came so soon after
 * that the producer held it back (`keyFrameRequestDelay`): the first frame
 * of a peer on another worker came ~270 ms later than on the producer's
 * router. Resuming the feed when the first far consumer starts makes that
 * key frame the one it shows.
 */
export class RouterPipes {
  readonly #pairs = new Map<string, Promise<Ends>>();
  readonly #listenIp: string;

  constructor(listenIp = '127.0.0.1') {
    this.#listenIp = listenIp;
  }

  /**
   * Pipes `producer` from `from` (its router) to `to`. The copy follows the
   * original's pause and resume and closes with it; the feed stays paused
   * until `feed.resume()`.
   */
  async pipe(producer: ms.Producer, from: ms.Router, to: ms.Router): Promise<ProducerPipe> {
    const ends = await this.ends(from, to);
    const out = ends.get(from)!;
    const into = ends.get(to)!;
    let feed: ms.Consumer | undefined;
    let copy: ms.Producer | undefined;
    try {
      feed = await out.consume({ producerId: producer.id, paused: true });
      copy = await into.produce({
        id: producer.id,
        kind: feed.kind,
        rtpParameters: feed.rtpParameters,
        paused: feed.producerPaused,
        appData: producer.appData,
      });
      if (producer.closed) throw new Error(`producer ${producer.id} closed while being piped`);
      // The original may have paused or resumed while the copy was made.
      if (copy.paused !== producer.paused) await (producer.paused ? copy.pause() : copy.resume());
    } catch (error) {
      feed?.close();
      copy?.close();
      throw error;
    }
    const piped = copy;
    const follow = (action: Promise<void>) =>
      action.catch((error: unknown) => {
        if (!piped.closed) log.warn('pipe copy of producer %s: %o', producer.id, error);
      });
    // The copy follows the original, not the feed: pausing the feed (it
    // starts paused) must not tell the far consumers that their source paused.
    feed.on('producerpause', () => follow(piped.pause()));
    feed.on('producerresume', () => follow(piped.resume()));
    const pipedFeed = feed;
    pipedFeed.observer.once('close', () => piped.close());
    piped.observer.once('close', () => pipedFeed.close());
    return { feed: pipedFeed, copy: piped };
  }

  /** The connected PipeTransports between two routers, made on first use. */
  private ends(a: ms.Router, b: ms.Router): Promise<Ends> {
    const key = a.id < b.id ? `${a.id}|${b.id}` : `${b.id}|${a.id}`;
    let pending = this.#pairs.get(key);
    if (!pending) {
      pending = this.connect(a, b);
      this.#pairs.set(key, pending);
      pending.then(
        (ends) => {
          for (const transport of ends.values()) {
            transport.observer.once('close', () => {
              if (this.#pairs.get(key) === pending) this.#pairs.delete(key);
              for (const other of ends.values()) other.close();
            });
          }
        },
        () => {
          if (this.#pairs.get(key) === pending) this.#pairs.delete(key);
        },
      );
    }
    return pending;
  }

  private async connect(a: ms.Router, b: ms.Router): Promise<Ends> {
    const options = { listenIp: this.#listenIp, enableSctp: false, enableRtx: false };
    const made = await Promise.allSettled([
      a.createPipeTransport(options),
      b.createPipeTransport(options),
    ]);
    const [ta, tb] = made.map((m) => (m.status === 'fulfilled' ? m.value : undefined));
    try {
      if (!ta || !tb)
        throw (made.find((m) => m.status === 'rejected') as PromiseRejectedResult).reason;
      await Promise.all([
        ta.connect({ ip: tb.tuple.localIp, port: tb.tuple.localPort }),
        tb.connect({ ip: ta.tuple.localIp, port: ta.tuple.localPort }),
      ]);
      return new Map([
        [a, ta],
        [b, tb],
      ]);
    } catch (error) {
      ta?.close();
      tb?.close();
      throw error;
    }
  }
}
