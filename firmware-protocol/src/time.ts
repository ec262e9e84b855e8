/** Device times are RFC 3339 UTC with milliseconds, exactly as Date.prototype.toISOString writes them. */
export const RFC3339_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function isRfc3339Utc(s: string): boolean {
  if (!RFC3339_UTC_MS.test(s)) return false;
  const ms = Date.parse(s);
  return Number.isFinite(ms) && new Date(ms).toISOString() === s;
}

export function formatDeviceTime(ms: number): string {
  return new Date(ms).toISOString();
}
