/**
 * Security headers on every response, API and UI alike (@fastify/helmet): the content security policy,
 * no framing, no MIME sniffing, no referrer. docs/server/api.md lists them.
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/** Scripts and styles only from this origin; no inline script, no framing, no third-party anything. */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
} as const;

export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    // Exactly the policy above: helmet's defaults would add upgrade-insecure-requests, which breaks the
    // UI where it is served over plain HTTP on a closed hospital network.
    contentSecurityPolicy: { useDefaults: false, directives: { ...CONTENT_SECURITY_POLICY } },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // HSTS belongs to whoever terminates TLS in front of the server; sent from here it could pin a
    // hospital's whole domain to HTTPS.
    strictTransportSecurity: false,
  });
}
