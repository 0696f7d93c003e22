import { Device, detectDevice, type types as msc } from 'mediasoup-client';
import { Chrome74 } from 'mediasoup-client/handlers/Chrome74';
import { Chrome111 } from 'mediasoup-client/handlers/Chrome111';
import { Firefox120 } from 'mediasoup-client/handlers/Firefox120';
import { ReactNative106 } from 'mediasoup-client/handlers/ReactNative106';
import { Safari12 } from 'mediasoup-client/handlers/Safari12';

type NativeCapabilitiesOptions = Parameters<msc.HandlerFactory['getNativeRtpCapabilities']>[0];

const builtin: Record<msc.BuiltinHandlerName, () => msc.HandlerFactory> = {
  Chrome111: () => Chrome111.createFactory({}),
  Chrome74: () => Chrome74.createFactory({}),
  Firefox120: () => Firefox120.createFactory({}),
  Safari12: () => Safari12.createFactory({}),
  ReactNative106: () => ReactNative106.createFactory({}),
};

/**
 * A mediasoup-client Device that starts asking the browser for its native
 * RTP capabilities at once, rather than when the room is joined.
 * `device.load()` needs them (each direction costs an RTCPeerConnection and
 * an offer: 40–70 ms of the page's main thread in the join benchmark) and
 * then the room's capabilities (`queryRoom`), so done at join they sit on
 * the way to the first frame; done now they overlap the token request and
 * the WebSocket's opening. `undefined` where no handler fits (Node without a
 * handler factory): `join()` says so then, as before.
 */
export function preparedDevice(options: {
  handlerName?: msc.BuiltinHandlerName;
  handlerFactory?: msc.HandlerFactory;
}): Device | undefined {
  let handler: msc.HandlerFactory;
  try {
    if (options.handlerFactory) handler = options.handlerFactory;
    else {
      const name = options.handlerName ?? detectDevice();
      if (!name || !(name in builtin)) return undefined;
      handler = builtin[name]();
    }
  } catch {
    return undefined;
  }
  const asked = new Map<string, Promise<msc.RtpCapabilities>>();
  const native = (direction: NativeCapabilitiesOptions) => {
    const key = JSON.stringify(direction);
    let capabilities = asked.get(key);
    if (!capabilities) {
      capabilities = handler.getNativeRtpCapabilities(direction);
      asked.set(key, capabilities);
      // A failure is load()'s to report; the next call asks again.
      capabilities.catch(() => asked.delete(key));
    }
    return capabilities;
  };
  const device = new Device({
    handlerFactory: {
      name: handler.name,
      factory: (handlerOptions) => handler.factory(handlerOptions),
      getNativeRtpCapabilities: native,
    },
  });
  // What device.load() asks for, in its order (it awaits one after the other).
  native({ direction: 'recvonly' })
    .then(() => native({ direction: 'sendonly' }))
    .catch(() => undefined);
  return device;
}
