// The server command's configuration: defaults, environment over the file,
// and errors that name the key and what is wrong.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/index.js';

const SECRET = 'a'.repeat(32);

function error(text: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseConfig(text, 'server.yaml', env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

describe('server command configuration', () => {
  it('applies defaults and reads every section', () => {
    const config = parseConfig(
      `auth: { secret: ${SECRET} }
workers: 2
rtc: { ipv4: 10.0.0.5, announcedIpv4: 203.0.113.7, webRtcServer: { port: 443 } }
limits: { peersPerRoom: 50 }
rooms: { maxConsumersPerWorker: 250 }
webhooks: { urls: [https://hooks.example.com/sfu] }
cluster: { redis: "redis://10.0.0.9:6379", signalingUrl: "wss://n1.example.com/ws", pipeListenIp: 10.0.0.5 }
`,
      'server.yaml',
    );
    expect(config).toMatchObject({
      port: 7880,
      workers: 2,
      logLevel: 'info',
      rtc: { ipv4: '10.0.0.5', webRtcServer: { port: 443 } },
      limits: { peersPerRoom: 50 },
      drain: { timeoutMs: 30_000 },
      metrics: { enabled: true },
      rooms: { closeWhenEmpty: true, maxConsumersPerWorker: 250 },
    });
  });

  it('takes X_SFU_* environment variables over the file', () => {
    const config = parseConfig(`port: 1000\nauth: { secret: ${'b'.repeat(32)} }\n`, 'server.yaml', {
      X_SFU_PORT: '2000',
      X_SFU_SECRET: SECRET,
      X_SFU_WEBHOOK_URLS: 'http://a/x, http://b/y',
    });
    expect(config.port).toBe(2000);
    expect(config.auth.secret).toBe(SECRET);
    expect(config.webhooks?.urls).toEqual(['http://a/x', 'http://b/y']);
  });

  it('names a wrong type, an unknown key, a missing key and a bad value', () => {
    expect(error(`port: "80a"\nauth: { secret: ${SECRET} }`)).toBe(
      'server.yaml: port: Invalid input: expected number, received string',
    );
    expect(error(`auth: { secret: ${SECRET} }\nrtc: { maxPrt: 3 }`)).toBe(
      'server.yaml: unknown key rtc.maxPrt',
    );
    expect(error(`auth: { secret: ${SECRET} }\nlimit: {}`)).toBe('server.yaml: unknown key limit');
    expect(error('port: 1')).toMatch(/^server\.yaml: auth: /);
    expect(error('auth: { secret: short }')).toBe(
      'server.yaml: auth.secret: must be at least 32 characters',
    );
    expect(error(`auth: { secret: ${SECRET} }\nlimits: { peersPerRom: 3 }`)).toBe(
      'server.yaml: unknown key limits.peersPerRom',
    );
    expect(error(`auth: { secret: ${SECRET} }\nwebhooks: { urls: [ftp://x] }`)).toBe(
      'server.yaml: webhooks.urls.0: must start with http: or https:',
    );
    expect(error(`auth: { secret: ${SECRET} }\nrtc: { minPort: 5000, maxPort: 4000 }`)).toBe(
      'server.yaml: rtc.minPort (5000) is above rtc.maxPort (4000)',
    );
    expect(error('port: [1, 2')).toMatch(/^server\.yaml: not valid YAML \(line \d+\)/);
    expect(error('- 1\n- 2')).toBe(
      'server.yaml: the configuration must be a mapping of keys (e.g. port: 7880)',
    );
  });
});
