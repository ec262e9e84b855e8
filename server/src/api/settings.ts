/**
 * The `http` section of the server config: where the HTTP API and the web UI listen, and when they
 * refuse requests as overloaded (503 OVERLOADED with Retry-After; docs/server/api.md). The load limits
 * have no default here: left out, the app's own (DEFAULT_LOAD_SHEDDING: 1000 ms, 90 % of V8's heap limit,
 * no RSS limit, 10 s) apply, since the heap limit is the running process's. Which proxy headers to
 * believe (trustProxy) and whether /metrics is served on this public port (serveMetrics) are here too.
 */
import { Type, type Static } from 'typebox';

export const HttpSettingsSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, default: '127.0.0.1', examples: ['0.0.0.0'], description: 'The address to bind; "0.0.0.0" for every interface (behind a TLS-terminating proxy).' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'TCP port; 0 picks a free one.' }),
    maxEventLoopDelayMs: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 600_000, 'x-unit': 'ms', description: "Refuse requests while the event loop's mean delay over a sample exceeds this; 0: never. Default 1000." }),
    ),
    maxHeapUsedBytes: Type.Optional(Type.Integer({ minimum: 0, 'x-unit': 'bytes', description: "Refuse requests while the V8 heap in use exceeds this; 0: never. Default: 90 % of V8's heap limit." })),
    maxRssBytes: Type.Optional(Type.Integer({ minimum: 0, 'x-unit': 'bytes', description: 'Refuse requests while the resident set exceeds this; 0: never (the default).' })),
    retryAfterSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400, 'x-unit': 's', description: 'Retry-After of the 503 OVERLOADED answers. Default 10.' })),
    trustProxy: Type.Union(
      [
        Type.Boolean(),
        Type.Integer({ minimum: 1, maximum: 100, description: 'Trust this many proxy hops in front of the server.' }),
        Type.Array(Type.String({ minLength: 1, maxLength: 64, 'x-expected': 'an IP address or CIDR range', examples: ['127.0.0.1', '10.0.0.0/8'] }), { minItems: 1, maxItems: 100, description: 'Trust proxies at these addresses.' }),
      ],
      {
        default: false,
        description:
          'Which X-Forwarded-For/-Proto/-Host to believe (fastify\'s trustProxy): false (the default) believes none; true every hop; a number that many hops; a list the proxies at those addresses. The client address of the login limit and the session cookie\'s Secure flag (set when the request is https) follow it.',
      },
    ),
    serveMetrics: Type.Boolean({ default: false, description: 'Also serve GET /metrics on this port, to anyone who can reach it. Default: 404 here; give the top-level "metrics" section a listener of its own instead.' }),
  },
  { additionalProperties: false, default: {}, description: 'The HTTP API and the web app (/app/).' },
);
export type HttpSettings = Static<typeof HttpSettingsSchema>;
