import type { types as ms } from '@x/mediasoup';
import { logger } from '@x/shared';
import type { DataPipesSide } from './DataConsumer.js';
import type { DataProducer } from './DataProducer.js';
import type { DataMessage } from './roomTypes.js';
import { createdInTime } from './workerRequests.js';

const log = logger('x:server:DataReceiver');

// WebRTC's SCTP payload protocol ids (RFC 8831): what a DataChannel message was.
const PPID_STRING = 51;
const PPID_EMPTY_STRING = 56;
const PPID_EMPTY_BINARY = 57;

/**
 * The server app's ear on the room's data: a DirectTransport on one router
 * of the room, with a data consumer of every data producer (piped there when
 * it lives on another router). Made only when the app asks
 * (`room.receiveData()`): each message then also crosses from the worker to
 * Node.
 */
export class DataReceiver {
  readonly #router: ms.Router;
  readonly #pipes: DataPipesSide;
  readonly #deliver: (dataProducer: DataProducer, message: DataMessage) => void;
  #transport: Promise<ms.DirectTransport> | undefined;
  #closed = false;

  constructor(options: {
    router: ms.Router;
    pipes: DataPipesSide;
    deliver: (dataProducer: DataProducer, message: DataMessage) => void;
  }) {
    this.#router = options.router;
    this.#pipes = options.pipes;
    this.#deliver = options.deliver;
  }

  /** Starts reading a data producer; resolves once its messages come. */
  async add(dataProducer: DataProducer): Promise<void> {
    if (this.#closed || dataProducer.closed) return;
    this.#transport ??= createdInTime('direct transport', () =>
      this.#router.createDirectTransport(),
    );
    try {
      const transport = await this.#transport;
      const dataProducerId = await this.#pipes.onRouter(dataProducer, this.#router);
      const consumer = await createdInTime('data consumer', () =>
        transport.consumeData({ dataProducerId }),
      );
      if (this.#closed || dataProducer.closed) {
        consumer.close();
        return;
      }
      consumer.on('message', (message: Buffer, ppid: number) => {
        const data =
          ppid === PPID_STRING
            ? message.toString('utf8')
            : ppid === PPID_EMPTY_STRING
              ? ''
              : ppid === PPID_EMPTY_BINARY
                ? Buffer.alloc(0)
                : message;
        this.#deliver(dataProducer, data);
      });
    } catch (error) {
      if (!this.#closed && !dataProducer.closed)
        log.warn('cannot read data producer %d: %o', dataProducer.id, error);
    }
  }

  /** Stops reading (its consumers close with the transport). */
  close(): void {
    this.#closed = true;
    this.#transport?.then((t) => t.close()).catch(() => undefined);
  }
}
