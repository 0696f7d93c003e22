// The demo as a node of a cluster: REDIS_URL turns it on. Nodes must share
// TOKEN_SECRET (a token from one node's page is checked by another), and
// each tells the others where its clients reach it (SIGNALING_URL, by
// default this process's own address) and where its pipes listen (PIPE_IP).
import { isIP } from 'node:net';
import type { ClusterOptions } from '@x/server';
import { DemoStartError } from './errors.js';

/** Cluster options from the environment, or undefined without REDIS_URL. */
export function clusterSettings(
  env: NodeJS.ProcessEnv,
  port: number,
  tls: boolean,
): ClusterOptions | undefined {
  if (!env.REDIS_URL) return undefined;
  if (!/^rediss?:\/\//.test(env.REDIS_URL))
    throw new DemoStartError('BAD_SETTING', `REDIS_URL=${env.REDIS_URL} is not a redis:// URL`);
  if (!env.TOKEN_SECRET)
    throw new DemoStartError(
      'BAD_SETTING',
      'a cluster needs TOKEN_SECRET, the same on every node (a page of one node joins through another)',
    );
  if (port === 0)
    throw new DemoStartError(
      'BAD_SETTING',
      'a cluster node needs a fixed PORT: other nodes send clients to it',
    );
  const host = env.HOST && !['0.0.0.0', '::'].includes(env.HOST) ? env.HOST : 'localhost';
  const pipeListenIp = env.PIPE_IP || (isIP(host) ? host : '127.0.0.1');
  if (!isIP(pipeListenIp))
    throw new DemoStartError('BAD_SETTING', `PIPE_IP=${env.PIPE_IP} is not an IP address`);
  const signalingUrl = env.SIGNALING_URL || `${tls ? 'wss' : 'ws'}://${host}:${port}/ws`;
  try {
    new URL(signalingUrl);
  } catch {
    throw new DemoStartError('BAD_SETTING', `SIGNALING_URL=${signalingUrl} is not a URL`);
  }
  return {
    redis: env.REDIS_URL,
    nodeId: env.NODE_ID || undefined,
    signalingUrl,
    pipeListenIp,
  };
}
