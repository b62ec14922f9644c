/**
 * rss-parser leaves an element as `{ _: text, $: attributes }` when it has attributes, and as `{ $: … }` with
 * no text at all in rbren/rss-parser#208; take the text wherever it is. Shared by the feed and the API parsers.
 */
export function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.length > 0 ? text(value[0]) : '';
  if (value !== null && typeof value === 'object' && '_' in value) return text((value as { _: unknown })._);
  return '';
}
