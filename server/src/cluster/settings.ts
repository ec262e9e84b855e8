/** The `cluster` section of the server config: how several processes on one PostgreSQL share the work. */
import { Type, type Static } from 'typebox';

export const ClusterSettingsSchema = Type.Object(
  {
    takeoverMs: Type.Integer({
      minimum: 1000,
      maximum: 600_000,
      default: 15_000,
      'x-unit': 'ms',
      description:
        'PostgreSQL only: at most this long after the leader process dies, another takes over the jobs that run once (rule tick and escalation, notification delivery, checkpoint signing). Shorter: a faster takeover, more lease queries (one per process every takeoverMs/6).',
    }),
    notificationPollMs: Type.Integer({
      minimum: 50,
      maximum: 60_000,
      default: 1000,
      'x-unit': 'ms',
      description: 'PostgreSQL only: how often the leader takes escalations from the shared notification queue.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'Several server processes on one PostgreSQL (docs/deploy/). Ignored on SQLite, where the one process does everything.' },
);
export type ClusterSettings = Static<typeof ClusterSettingsSchema>;
