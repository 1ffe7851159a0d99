/** The `X-API-Key` check, in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compares two secrets in constant time: hashing first gives both sides the same length. */
export function isSameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** Returns a predicate for requests; with an empty key every request passes (auth disabled). */
export function createApiKeyCheck(apiKey: string): (req: IncomingMessage) => boolean {
  if (apiKey === '') return () => true;
  return (req) => {
    const given = req.headers['x-api-key'];
    return typeof given === 'string' && isSameSecret(given, apiKey);
  };
}
