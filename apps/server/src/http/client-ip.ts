import type { IncomingMessage } from 'node:http';

/**
 * The client address for rate limiting, by the rule Fastify applies with trustProxy=true: the
 * left-most X-Forwarded-For address when the proxy is trusted, else the socket peer. For paths that
 * run before Fastify (the response cache, WebSocket upgrades).
 */
export function clientIpOf(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const xff = req.headers['x-forwarded-for'];
    const first = (Array.isArray(xff) ? xff[0] : xff)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
