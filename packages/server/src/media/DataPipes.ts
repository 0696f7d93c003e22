import type { types as ms } from '@x/mediasoup';
import type { DataPipesSide } from './DataConsumer.js';
import type { DataProducer } from './DataProducer.js';

/**
 * How the data producers of a room reach its other routers: piped there
 * (mediasoup's `pipeToRouter`, a PipeTransport pair with SCTP between the two
 * routers, kept by mediasoup for all the data of that pair) the first time a
 * peer living there enables a data consumer of it, then shared by every
 * consumer there. The copy closes with its data producer.
 */
export class DataPipes implements DataPipesSide {
  readonly #piped = new Map<DataProducer, Map<ms.Router, Promise<string>>>();

  /** How many routers a data producer is piped to now (monitoring). */
  pipesOf(source: DataProducer): number {
    return this.#piped.get(source)?.size ?? 0;
  }

  onRouter(source: DataProducer, router: ms.Router): Promise<string> {
    const home = source.transport.router;
    if (home === router) return Promise.resolve(source.engine.id);
    let byRouter = this.#piped.get(source);
    if (!byRouter) {
      byRouter = new Map();
      this.#piped.set(source, byRouter);
    }
    let piped = byRouter.get(router);
    if (!piped) {
      const pipes = byRouter;
      piped = home
        .pipeToRouter({ dataProducerId: source.engine.id, router })
        .then(({ pipeDataProducer }) => {
          // Its source closed meanwhile: mediasoup closes the copy with it.
          if (source.closed) throw new Error(`data producer ${source.id} closed`);
          return pipeDataProducer!.id;
        });
      piped.catch(() => pipes.delete(router));
      byRouter.set(router, piped);
    }
    return piped;
  }

  /** A data producer closed: mediasoup closed its copies with it. */
  sourceClosed(source: DataProducer): void {
    this.#piped.delete(source);
  }
}
