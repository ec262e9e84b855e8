/** Topics and client ids come off the wire: keep a hostile 64 KiB topic out of the log. */
export function clip(text: string | undefined, max = 160): string | undefined {
  if (text === undefined || text.length <= max) return text;
  return `${text.slice(0, max)}...(${text.length} chars)`;
}
