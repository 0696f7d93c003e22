import {
  type AppData,
  closeReason as closeReasonEnum,
  optionalJsonToMessage,
  pb,
  profile as profileEnum,
} from '@x/protocol';
import type { Consumer, ConsumerOriginator } from '../media/Consumer.js';
import type { DataProducer } from '../media/DataProducer.js';
import type { Peer, PeerClosing } from '../media/Peer.js';
import type { Producer } from '../media/Producer.js';
import type { Room } from '../media/Room.js';
import type { RoomObserverEvents } from '../media/roomTypes.js';
import type { Transport } from '../media/Transport.js';
import type { ClientFeeds } from './ClientFeeds.js';
import { errorToMessage, redirectUrl } from './errors.js';
import { consumerView, dataConsumerView, peerView } from './views.js';

type Body = pb.ServerNotification.$Properties;

const PAUSED_BY = {
  local: pb.PauseOriginator.PAUSE_ORIGINATOR_SERVER,
  source: pb.PauseOriginator.PAUSE_ORIGINATOR_SOURCE,
} as const;

/**
 * What one peer's client must hear, learned by watching the observers of the
 * peer, its transports, producers and consumers, and its room: each change is
 * turned into the notification the client gets.
 */
export class PeerNotifier {
  readonly #peer: Peer;
  readonly #room: Room;
  readonly #send: (body: Body) => void;
  readonly #feeds: ClientFeeds;
  readonly #connectionUrl: () => URL | undefined;
  readonly #unwatchRoom: () => void;

  constructor(options: {
    peer: Peer;
    room: Room;
    send: (body: Body) => void;
    feeds: ClientFeeds;
    /** The URL its client connected with (a redirect keeps its query: the room). */
    connectionUrl: () => URL | undefined;
  }) {
    this.#peer = options.peer;
    this.#room = options.room;
    this.#send = options.send;
    this.#feeds = options.feeds;
    this.#connectionUrl = options.connectionUrl;
    this.#unwatchRoom = this.watchRoom();
    this.watchPeer();
  }

  private watchRoom(): () => void {
    const peer = this.#peer;
    const handlers: { [K in keyof RoomObserverEvents]?: (...args: RoomObserverEvents[K]) => void } =
      {
        newmember: (member) => {
          if (member === peer || member.spy) return;
          this.#send({ newPeer: { peer: peerView(peer, member, this.#room) } });
        },
        memberclose: (member, appData) => {
          if (member === peer || member.spy) return;
          this.#send({ peerClosed: { name: member.name, appData: message(appData) } });
        },
        appdatachange: (appData) =>
          this.#send({ roomAppDataChanged: { appData: message(appData) } }),
        peerappdatachange: (member, appData) => {
          if (member.spy && member !== peer) return;
          this.#send({ peerAppDataChanged: { peerName: member.name, appData: message(appData) } });
        },
        recordingchange: (state) =>
          this.#send({ recording: { active: state.active, peerNames: state.peerNames } }),
        activespeakerchange: (member, producer) =>
          this.#feeds.speakerChanged(member.name, producer.id),
        audiolevels: (levels) => this.#feeds.levels(levels),
        servermessage: ({ label, data, to }) => {
          if (to && !to.has(peer.name)) return;
          this.#send({
            dataMessage: typeof data === 'string' ? { label, text: data } : { label, binary: data },
          });
        },
      };
    const observer = this.#room.observer;
    for (const [event, handler] of Object.entries(handlers))
      observer.on(event as keyof RoomObserverEvents, handler as () => void);
    return () => {
      for (const [event, handler] of Object.entries(handlers))
        observer.off(event as keyof RoomObserverEvents, handler as () => void);
    };
  }

  private watchPeer(): void {
    const observer = this.#peer.observer;
    observer.once('close', (closing) => this.peerClosing(closing));
    observer.on('newtransport', (transport) => this.watchTransport(transport));
    observer.on('newproducer', (producer) => this.watchProducer(producer));
    observer.on('newdataproducer', (dp) => this.watchDataProducer(dp));
    observer.on('newdataconsumer', (dc) =>
      this.#send({ newDataConsumer: { dataConsumer: dataConsumerView(dc) } }),
    );
    observer.on('dataconsumerclose', (dc) => {
      if (!this.#peer.closed)
        this.#send({ dataConsumerClosed: { id: dc.id, peerName: dc.source.peer.name } });
    });
    observer.on('newconsumer', (consumer) =>
      this.#send({ newConsumer: { consumer: consumerView(consumer) } }),
    );
    // The peer's consumers, through the peer's observer: one watcher for them all.
    observer.on('consumerclose', (consumer) => {
      if (!this.#peer.closed)
        this.#send({ consumerClosed: { id: consumer.id, peerName: consumer.source.peer.name } });
    });
    observer.on('consumerpause', (consumer, paused, originator, appData) =>
      this.consumerPaused(consumer, paused, originator, appData),
    );
    observer.on('consumerpreferredprofilechange', (consumer, profile, originator) => {
      if (originator !== 'local') return;
      this.#send({
        consumerPreferredProfileSet: {
          id: consumer.id,
          peerName: consumer.source.peer.name,
          profile: profileEnum.toMessage(profile, 'profile'),
        },
      });
    });
    observer.on('consumereffectiveprofilechange', (consumer, profile) =>
      this.#send({
        consumerEffectiveProfileChanged: {
          id: consumer.id,
          peerName: consumer.source.peer.name,
          profile: profileEnum.toMessage(profile, 'profile'),
        },
      }),
    );
    observer.on('consumerscore', (consumer, score, producerScore) =>
      this.#send({
        consumerScore: {
          id: consumer.id,
          peerName: consumer.source.peer.name,
          score,
          producerScore,
        },
      }),
    );
  }

  /**
   * The client is told when a consumer becomes paused or flowing on the
   * server side (by the server app or its producer): its own pauses it knows,
   * and a change hidden by the other side (its producer paused while the app
   * keeps it paused) changes nothing it sees.
   */
  private consumerPaused(
    consumer: Consumer,
    paused: boolean,
    originator: ConsumerOriginator,
    appData: AppData | undefined,
  ): void {
    if (originator === 'remote') return;
    const otherSide = originator === 'local' ? consumer.sourcePaused : consumer.locallyPaused;
    if (otherSide) return;
    const body = {
      id: consumer.id,
      peerName: consumer.source.peer.name,
      appData: message(appData),
      originator: PAUSED_BY[originator],
    };
    this.#send(paused ? { consumerPaused: body } : { consumerResumed: body });
  }

  private peerClosing(closing: PeerClosing): void {
    this.#unwatchRoom();
    this.#feeds.close();
    if (closing.originator !== 'local') return;
    this.#send({
      closed: {
        appData: message(closing.appData),
        reason: closeReasonEnum.toMessage(closing.reason, 'reason'),
        message: closing.message,
        redirectUrl: closing.redirectUrl
          ? redirectUrl(closing.redirectUrl, this.#connectionUrl())
          : '',
      },
    });
  }

  private watchTransport(transport: Transport): void {
    transport.observer.once('close', (originator, appData) => {
      if (originator === 'local' && !this.#peer.closed)
        this.#send({ transportClosed: { id: transport.id, appData: message(appData) } });
    });
  }

  private watchDataProducer(dataProducer: DataProducer): void {
    const { id } = dataProducer;
    dataProducer.observer.once('close', (originator, appData, error) => {
      // Closed with its transport or its peer: that notification covers it.
      if (originator !== 'local' || dataProducer.transport.closed || this.#peer.closed) return;
      this.#send({
        dataProducerClosed: {
          id,
          appData: message(appData),
          error: error ? errorToMessage(error) : undefined,
        },
      });
    });
  }

  private watchProducer(producer: Producer): void {
    const { id, observer } = producer;
    observer.on('pause', (originator, appData) => {
      if (originator === 'local') this.#send({ producerPaused: { id, appData: message(appData) } });
    });
    observer.on('resume', (originator, appData) => {
      if (originator === 'local')
        this.#send({ producerResumed: { id, appData: message(appData) } });
    });
    observer.on('score', (scores) => this.#send({ producerScore: { id, scores } }));
    observer.once('close', (originator, appData) => {
      // Closed with its transport or its peer: that notification covers it.
      if (originator !== 'local' || producer.transport.closed || this.#peer.closed) return;
      this.#send({ producerClosed: { id, appData: message(appData) } });
    });
  }
}

/** appData as the protocol carries it. */
function message(appData: AppData | undefined): ReturnType<typeof optionalJsonToMessage> {
  return optionalJsonToMessage(appData);
}
