import { AsyncLocalStorage } from 'node:async_hooks';
import { installWebRtcGlobals } from '@x/node';

/** Which simulated participant is running: the peer connections it makes are its own. */
const running = new AsyncLocalStorage<string>();
const byParticipant = new Map<string, RTCPeerConnection[]>();
let installed = false;

/**
 * Puts libwebrtc on `globalThis` with an RTCPeerConnection that remembers
 * which participant made it (mediasoup-client makes them inside the
 * participant's own async flow), so that each one's stats can be read.
 */
export function installConnectionProbe(): void {
  if (installed) return;
  installed = true;
  const wrtc = installWebRtcGlobals();
  const Native = wrtc.RTCPeerConnection as unknown as typeof RTCPeerConnection;
  class Probed extends Native {
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      const name = running.getStore();
      if (name) byParticipant.set(name, [...(byParticipant.get(name) ?? []), this]);
    }
  }
  (globalThis as { RTCPeerConnection: unknown }).RTCPeerConnection = Probed;
}

/** Runs `work` as participant `name`. */
export function asParticipant<T>(name: string, work: () => Promise<T>): Promise<T> {
  return running.run(name, work);
}

/** The open peer connections of a participant. */
export function connectionsOf(name: string): RTCPeerConnection[] {
  return (byParticipant.get(name) ?? []).filter((pc) => pc.connectionState !== 'closed');
}
