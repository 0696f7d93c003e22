import type { types as ms } from '@x/mediasoup';
import type { AppData, RtcStats, TransportDirection } from '@x/protocol';

/** What kind of transport it is. */
export type TransportType = 'webrtc' | 'plain' | 'pipe';

/**
 * A transport as the producers that arrive on it and the consumers that
 * leave by it see it (a {@link Transport}, whose class they do not need to
 * know): what it is, where it lives, and its engine to consume on.
 */
export interface TransportRef {
  /** Transport id. */
  readonly id: number;
  /** 'send' (its client produces on it) or 'recv' (it consumes). */
  readonly direction: TransportDirection;
  /** WebRTC (ICE + DTLS), plain RTP, or a pipe between workers or nodes. */
  readonly type: TransportType;
  /** The app's data about the transport. */
  readonly appData: AppData | undefined;
  /** Whether it is closed. */
  readonly closed: boolean;
  /** The mediasoup transport underneath. */
  readonly engine: ms.WebRtcTransport | ms.PlainTransport | ms.PipeTransport;
  /** The mediasoup router it lives on. */
  readonly router: ms.Router;
  /** Closes it, with its producers. */
  close(appData?: AppData): void;
  /** RTC stats of the transport. */
  getStats(): Promise<RtcStats[]>;
}
