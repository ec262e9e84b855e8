/** The `alerting` section of the server config. */
import { Type, type Static } from 'typebox';

export const AlertingSettingsSchema = Type.Object(
  {
    tickMs: Type.Integer({
      minimum: 100,
      maximum: 3600_000,
      default: 60_000,
      'x-unit': 'ms',
      description: 'How often the time-based rules (storage overdue, missing in transit, device silent ...) and escalation run.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'When the rules that depend on time run.' },
);
export type AlertingSettings = Static<typeof AlertingSettingsSchema>;
