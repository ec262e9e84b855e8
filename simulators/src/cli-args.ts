/**
 * What the simulators' command lines share: where they write, how they fail (exit 2, the command named),
 * and whole-number options read strictly (decimal digits only: `0x10`, `1e3`, `+5` and `1.5` are refused,
 * not coerced).
 */
export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
}

/** Writes `wastetrail-sim <command>: <message>` and returns the usage exit code, 2. */
export function failCli(io: Pick<Io, 'stderr'>, command: string, message: string): number {
  io.stderr.write(`wastetrail-sim ${command}: ${message}\n`);
  return 2;
}

/** A whole-number option: the number, the fallback when absent, or a message naming the option. */
export function wholeOption(text: string | undefined, name: string, min: number, max: number, fallback?: number): number | string | undefined {
  if (text === undefined) return fallback;
  return /^\d+$/.test(text) && Number(text) >= min && Number(text) <= max ? Number(text) : `--${name} must be a whole number from ${min} to ${max}, got "${text}"`;
}
