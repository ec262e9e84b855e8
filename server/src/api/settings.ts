/** The `http` section of the server config: where the HTTP API and the web UI listen. */
import { Type, type Static } from 'typebox';

export const HttpSettingsSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, default: '127.0.0.1', examples: ['0.0.0.0'], description: 'The address to bind; "0.0.0.0" for every interface (behind a TLS-terminating proxy).' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'TCP port; 0 picks a free one.' }),
  },
  { additionalProperties: false, default: {}, description: 'The HTTP API and the web UI (/ui/).' },
);
export type HttpSettings = Static<typeof HttpSettingsSchema>;
