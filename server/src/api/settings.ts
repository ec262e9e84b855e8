/**
 * The `http` section of the server config: where the HTTP API and the web UI listen, and when they
 * refuse requests as overloaded (503 OVERLOADED with Retry-After; docs/server/api.md). The load limits
 * have no default here: left out, the app's own (DEFAULT_LOAD_SHEDDING: 1000 ms, 90 % of V8's heap limit,
 * no RSS limit, 10 s) apply, since the heap limit is the running process's.
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
  },
  { additionalProperties: false, default: {}, description: 'The HTTP API and the web UI (/ui/).' },
);
export type HttpSettings = Static<typeof HttpSettingsSchema>;
