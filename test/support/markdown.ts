// Reading a draft in tests: one `## ` section at a time.

/** The section headed `## <heading>`, up to the next `## `; throws when there is none. */
export function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`## ${heading}\n`);
  if (start < 0) throw new Error(`the draft has no section "${heading}"`);
  const next = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, next < 0 ? undefined : next);
}
