import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { guardedLookup, isInternalAddress } from './targets.ts';

export interface SignedMessage {
  url: string;
  /** `webhook-id`: the same on every retry, so the receiver can tell a repeat. */
  messageId: string;
  contentType: string;
  body: Buffer;
  /** Every secret in force: during a rotation both sign, and a receiver with either verifies. */
  secrets: readonly string[];
}

export interface AttemptResult {
  httpStatus: number | null;
  retryAfter: string | null;
  latencyMs: number;
  error: string | null;
}

/** The Standard Webhooks headers: id, timestamp, and one `v1,` signature per secret, space-separated. */
export function signatureHeaders(
  message: Omit<SignedMessage, 'url' | 'contentType'>,
  at: Date,
): Record<string, string> {
  const signature = message.secrets
    .map((secret) => new Webhook(secret).sign(message.messageId, at, message.body))
    .join(' ');
  return {
    'webhook-id': message.messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/** One POST; never throws: what happened is in the result. */
export function send(
  message: SignedMessage,
  options: { timeoutMs: number; allowPrivateTargets: boolean },
): Promise<AttemptResult> {
  const started = performance.now();
  const url = new URL(message.url);
  const done = (httpStatus: number | null, error: string | null, retryAfter: string | null = null) => ({
    httpStatus,
    retryAfter,
    error,
    latencyMs: Math.round(performance.now() - started),
  });
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) && !options.allowPrivateTargets && isInternalAddress(literal)) {
    return Promise.resolve(done(null, `refused: ${literal} is a private or loopback address`));
  }
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': message.contentType,
          'content-length': message.body.length,
          'user-agent': 'supply-network-exchange/1',
          ...signatureHeaders(message, new Date()),
        },
        lookup: guardedLookup(options.allowPrivateTargets),
        timeout: options.timeoutMs,
      },
      (response) => {
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) response.destroy();
        });
        const finish = () => {
          const retryAfter = response.headers['retry-after'];
          resolve(
            done(response.statusCode ?? null, null, typeof retryAfter === 'string' ? retryAfter : null),
          );
        };
        response.on('end', finish);
        response.on('close', finish);
        response.on('error', finish);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    request.on('error', (error) => resolve(done(null, error.message)));
    request.end(message.body);
  });
}
