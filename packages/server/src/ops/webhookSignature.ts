import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header that carries a webhook's signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'x-sfu-signature';

/** How old a webhook may be when it is verified, by default (seconds). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** Why {@link verifyWebhook} refused a request. */
export class WebhookVerificationError extends Error {
  /** 'WebhookVerificationError'. */
  override readonly name = 'WebhookVerificationError';
  constructor(
    /** `MISSING_SIGNATURE`, `BAD_SIGNATURE` or `EXPIRED`. */
    readonly code: 'MISSING_SIGNATURE' | 'BAD_SIGNATURE' | 'EXPIRED',
    message: string,
  ) {
    super(message);
  }
}

function mac(secret: string, timestamp: number, body: string | Uint8Array): Buffer {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${timestamp}.`);
  hmac.update(body);
  return hmac.digest();
}

/**
 * The signature header of a webhook body: the HMAC-SHA256, keyed with the
 * server's API secret, of `<timestamp>.<body>` — the exact bytes sent, so a
 * receiver verifies before it parses; the timestamp makes an old request
 * replayed later fail.
 */
export function signWebhook(
  body: string | Uint8Array,
  secret: string,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  return `t=${timestamp},v1=${mac(secret, timestamp, body).toString('hex')}`;
}

/**
 * Verifies a webhook the server sent: `body` is the request's raw body (not
 * re-serialized JSON), `header` its `X-Sfu-Signature`. Returns the event;
 * throws {@link WebhookVerificationError} for a missing or wrong signature,
 * or one older (or further ahead) than `toleranceSeconds`.
 *
 * @example
 * ```ts
 * app.post('/webhooks', express.raw({ type: 'application/json' }), (req, res) => {
 *   const event = verifyWebhook(req.body, req.get('x-sfu-signature'), process.env.SFU_SECRET!);
 *   console.log(event.event, event.room?.id);
 *   res.sendStatus(204);
 * });
 * ```
 */
export function verifyWebhook(
  body: string | Uint8Array,
  header: string | undefined | null,
  secret: string,
  toleranceSeconds = WEBHOOK_TOLERANCE_SECONDS,
  now = Math.floor(Date.now() / 1000),
): WebhookEvent {
  if (!header) throw new WebhookVerificationError('MISSING_SIGNATURE', 'no x-sfu-signature header');
  const parts = new Map(
    header.split(',').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const timestamp = Number(parts.get('t'));
  const signature = parts.get('v1') ?? '';
  if (!Number.isInteger(timestamp) || !/^[0-9a-f]{64}$/.test(signature))
    throw new WebhookVerificationError('BAD_SIGNATURE', 'the x-sfu-signature header is malformed');
  const expected = mac(secret, timestamp, body);
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex')))
    throw new WebhookVerificationError('BAD_SIGNATURE', 'the signature does not match the body');
  if (Math.abs(now - timestamp) > toleranceSeconds)
    throw new WebhookVerificationError(
      'EXPIRED',
      `signed ${now - timestamp} s ago: more than ${toleranceSeconds} s (a replay?)`,
    );
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  return JSON.parse(text) as WebhookEvent;
}

/** The kinds of webhook events. */
export type WebhookEventName =
  | 'room_started'
  | 'room_finished'
  | 'peer_joined'
  | 'peer_left'
  | 'producer_published'
  | 'producer_closed'
  | 'recording_started'
  | 'recording_finished';

/** The JSON body of a webhook. */
export interface WebhookEvent {
  /** Unique id of this event (the same on each retry: receivers deduplicate with it). */
  id: string;
  /** What happened. */
  event: WebhookEventName;
  /** When, in Unix milliseconds. */
  createdAt: number;
  /** The room it happened in. */
  room: {
    /** Room id. */
    id: string;
  };
  /** The peer (peer_joined, peer_left, and a producer's peer). */
  peer?: {
    /** Peer name. */
    name: string;
    /** The app's data of its join (peer_joined). */
    appData?: unknown;
  };
  /** Why a peer left (peer_left): `left`, `kicked`, `node_draining`, … or who closed it. */
  reason?: string;
  /** The producer (producer_published, producer_closed). */
  producer?: {
    /** Producer id. */
    id: number;
    /** 'audio' or 'video'. */
    kind: 'audio' | 'video';
    /** Its peer. */
    peerName: string;
  };
  /** The recording (recording_started, recording_finished): the peers recorded, when it started. */
  recording?: {
    /** The peers recorded. */
    peerNames: string[];
  };
}
