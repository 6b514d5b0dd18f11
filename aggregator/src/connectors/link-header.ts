// RFC 8288 `Link` headers, as Mastodon pages with them: `<url>; rel="next", <url>; rel="prev"`.

/** The URL of each relation of a Link header. */
export function parseLinkHeader(header: string | null): Map<string, URL> {
  const links = new Map<string, URL>();
  if (header === null) return links;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (match === null) continue;
    const rel = /\brel\s*=\s*"?([^";]+)"?/i.exec(match[2] ?? "");
    if (rel === null) continue;
    try {
      for (const name of (rel[1] ?? "").trim().split(/\s+/)) links.set(name.toLowerCase(), new URL(match[1] ?? ""));
    } catch {
      // A relation whose URL does not parse is ignored, as if absent.
    }
  }
  return links;
}
