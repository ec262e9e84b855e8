/**
 * The `verifiableLog` section of the server config: the log's name and how often it signs a checkpoint
 * (docs/protocol/log.md). Not `log`, which is the process's logger.
 */
import { Type, type Static } from 'typebox';

export const VerifiableLogSettingsSchema = Type.Object(
  {
    origin: Type.String({
      minLength: 1,
      maxLength: 255,
      // A C2SP checkpoint origin and note key name: no white space, no "+", no control characters.
      pattern: '^[^\\s+\\x00-\\x1f\\x7f]+$',
      default: 'wastetrail.local/log',
      examples: ['log.wastetrail.example/hangzhou'],
      description: "The log's name: the first line of every checkpoint and the name of its key. A scheme-less URL without spaces or '+'. Changing it starts a log that verifiers must trust anew.",
    }),
    checkpointIntervalMs: Type.Integer({
      minimum: 100,
      maximum: 3600_000,
      default: 10_000,
      'x-unit': 'ms',
      description: 'How often a checkpoint is signed when the log has grown: the longest a new record waits before an inclusion proof can show it.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'The verifiable log of accepted records: its name and its checkpoints (the key is kept in <dataDir>/log/log-key.pem).' },
);
export type VerifiableLogSettings = Static<typeof VerifiableLogSettingsSchema>;
