// Where the demo's media goes, from the environment: RTC_PORT puts every
// WebRTC transport of worker i on one UDP and one TCP port, RTC_PORT + i
// (mediasoup's WebRtcServer: the ports to open in a firewall); ANNOUNCED_IP
// is the address clients are told when the host is behind 1:1 NAT (a cloud
// VM: its public address); TURN_URLS and TURN_SECRET give clients credentials
// for a TURN server (coturn with use-auth-secret, see deploy/coturn). Without
// them, the demo behaves as it always has: ports from 40000-49999, no TURN.
import { isIP } from 'node:net';
import type { ServerOptions } from '@x/server';
import { DemoStartError } from './errors.js';

/** Server options from the environment (none of them set: {}). */
export function mediaSettings(env: NodeJS.ProcessEnv): ServerOptions {
  const options: ServerOptions = {};
  if (env.RTC_PORT) {
    const port = Number(env.RTC_PORT);
    if (!Number.isInteger(port) || port < 1024 || port > 65535)
      throw new DemoStartError(
        'BAD_SETTING',
        `RTC_PORT=${env.RTC_PORT} is not a port (1024-65535)`,
      );
    options.webRtcServer = { port, announcedIp: env.ANNOUNCED_IP || undefined };
  }
  if (env.ANNOUNCED_IP) {
    if (!isIP(env.ANNOUNCED_IP))
      throw new DemoStartError(
        'BAD_SETTING',
        `ANNOUNCED_IP=${env.ANNOUNCED_IP} is not an IP address`,
      );
    options.rtcAnnouncedIPv4 = env.ANNOUNCED_IP;
  }
  if (Boolean(env.TURN_URLS) !== Boolean(env.TURN_SECRET))
    throw new DemoStartError('BAD_SETTING', 'TURN_URLS and TURN_SECRET go together: give both');
  if (env.TURN_URLS && env.TURN_SECRET) {
    const ttl = env.TURN_TTL ? Number(env.TURN_TTL) : undefined;
    options.turn = {
      urls: env.TURN_URLS.split(',')
        .map((u) => u.trim())
        .filter(Boolean),
      secret: env.TURN_SECRET,
      ttl,
    };
  }
  return options;
}
