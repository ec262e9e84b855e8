/**
 * The `verifiableLog` section of the server config: the log's name, how often it signs a checkpoint, its
 * witnesses and their quorum (docs/protocol/log.md). Not `log`, which is the process's logger.
 */
import { parseCosignerKey, type NoteVerifierKey } from '@wastetrail/firmware-protocol';
import { ConfigError, fieldPath } from '@wastetrail/runtime';
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
    witnesses: Type.Array(
      Type.String({ minLength: 1, maxLength: 300, description: "A witness's cosignature verifier key <name>+<key id>+<base64 key>, as `wastetrail witness` prints it (`witness key ...`)." }),
      {
        default: [],
        maxItems: 50,
        uniqueItems: true,
        description: 'Witnesses whose cosignatures the server accepts (POST /log/v1/cosignature), keeps and serves on its checkpoints (docs/protocol/log.md, "Witnesses"). Empty: none.',
      },
    ),
    quorum: Type.Integer({
      minimum: 0,
      maximum: 50,
      default: 0,
      description:
        'How many of the witnesses must have cosigned the checkpoint an audit bundle proves its records in: bundles use the newest checkpoint cosigned by at least this many (the newest checkpoint when none is yet, which then fails `wastetrail verify --quorum`). 0: the newest checkpoint, whoever cosigned it. At most the number of witnesses.',
    }),
  },
  { additionalProperties: false, default: {}, description: 'The verifiable log of accepted records: its name and its checkpoints (the key is kept in <dataDir>/log/log-key.pem).' },
);
export type VerifiableLogSettingsInput = Static<typeof VerifiableLogSettingsSchema>;
export type VerifiableLogSettings = Omit<VerifiableLogSettingsInput, 'witnesses'> & { witnesses: NoteVerifierKey[] };

/** The section with each witness key parsed; throws ConfigError naming a key that is not a cosignature vkey. */
export function readVerifiableLogSettings(c: VerifiableLogSettingsInput, at: string): VerifiableLogSettings {
  const witnesses = c.witnesses.map((text, i) => {
    const key = parseCosignerKey(text);
    if (!key.ok) throw ConfigError.at(`${fieldPath(at, 'witnesses')}[${i}]`, `is not a witness key (${key.error.message}), got ${JSON.stringify(text)}`);
    return key.value;
  });
  const names = witnesses.map((w) => w.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw ConfigError.at(fieldPath(at, 'witnesses'), `names witness ${twice} twice: one key per witness`);
  if (c.quorum > witnesses.length) throw ConfigError.at(fieldPath(at, 'quorum'), `is ${c.quorum}, more than the ${witnesses.length} witness(es) configured: list the witnesses' keys in verifiableLog.witnesses, or lower the quorum`);
  return { ...c, witnesses };
}
