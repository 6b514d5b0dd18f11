// The community view: the aggregated timeline across networks (source network per post, the original linked,
// cross-posts folded), moderation (pinned first; hidden posts are left out by the nodes), members' personas.
import { useState } from "react";
import { fromAnyNode, type TimelineEntry, timelinePageSchema } from "../lib/api.ts";
import { isMemberKeyPost } from "../lib/private-posts.ts";
import { useRequest } from "../lib/use-request.ts";
import { useStack } from "../stack.tsx";
import { Request, short } from "../ui.tsx";

const NETWORK_NAMES: Record<string, string> = {
  farcaster: "Farcaster",
  mastodon: "Mastodon",
  lens: "Lens",
  rss: "RSS",
  bluesky: "Bluesky",
};

export function networkName(network: string): string {
  return NETWORK_NAMES[network] ?? network;
}

/** A post's text; an identity proof's encoded payload is folded away behind its meaning. */
function Body({ body }: { body: string | null }) {
  if (body === null) return <p className="muted">Encrypted post (for community members)</p>;
  const proof = body.indexOf("maskoii-proof:v1:");
  if (proof < 0) return <p>{body}</p>;
  return (
    <details>
      <summary>{body.slice(0, proof).trim() || "Identity proof"} (a signed identity proof)</summary>
      <p className="mono">{body.slice(proof)}</p>
    </details>
  );
}

export function PostCard({ entry, children }: { entry: TimelineEntry; children?: React.ReactNode }) {
  const when = new Date(entry.createdAt);
  return (
    <article className="card" aria-label={`${networkName(entry.network)} post by ${entry.author.id}`}>
      <div className="meta">
        <span className="badge net">{networkName(entry.network)}</span>
        {entry.pinned ? <span className="badge pinned">Pinned by a moderator</span> : null}
        <span>{entry.author.id.replace(/^[a-z]+:(acct:|fid:|account:)?/, "")}</span>
        {entry.author.persona === null ? null : (
          <span title={entry.author.persona}>persona {short(entry.author.persona, 4)}</span>
        )}
        <time dateTime={when.toISOString()}>{when.toLocaleString()}</time>
      </div>
      {children ?? <Body body={entry.body} />}
      <div className="meta">
        {entry.url === null ? null : (
          <a href={entry.url} target="_blank" rel="noreferrer noopener">
            Original on {networkName(entry.network)}
          </a>
        )}
        {entry.duplicates.length === 0 ? null : <span>also posted as {entry.duplicates.join(", ")}</span>}
      </div>
    </article>
  );
}

export function CommunityPage() {
  const stack = useStack();
  const [cursor, setCursor] = useState<string | undefined>();
  const path = `/communities/${stack.community}/timeline?limit=30${cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`}`;
  const { state, reload } = useRequest(() => fromAnyNode(stack.nodes, path, timelinePageSchema), [path], 5_000);
  return (
    <section aria-labelledby="community-title">
      <h1 id="community-title">Community {stack.community}</h1>
      <Request state={state} what="the community timeline" retry={reload}>
        {({ node, data }) => {
          const entries = data.entries.filter((e) => !isMemberKeyPost(e));
          const members = new Map<string, Set<string>>();
          for (const e of data.entries) {
            if (e.author.persona === null) continue;
            const set = members.get(e.author.persona) ?? new Set<string>();
            set.add(e.author.id);
            members.set(e.author.persona, set);
          }
          const networks = new Set(data.entries.map((e) => e.network));
          return (
            <>
              <p className="muted">
                {entries.length} posts from {[...networks].map(networkName).join(", ") || "no network yet"}, served by{" "}
                {node.name}. Hidden posts are left out by the community's moderators.
              </p>
              {data.unresolvedSources.length === 0 ? null : (
                <p className="notice">
                  This node reads none of: {data.unresolvedSources.join(", ")}; their posts are missing here.
                </p>
              )}
              <h2>Members</h2>
              {members.size === 0 ? (
                <p className="muted">No author here has bound an account to a persona yet.</p>
              ) : (
                <ul className="cards" aria-label="Members">
                  {[...members].map(([persona, accounts]) => (
                    <li key={persona} className="card">
                      <span className="mono" title={persona}>
                        {persona}
                      </span>
                      <div className="meta">{[...accounts].join(", ")}</div>
                    </li>
                  ))}
                </ul>
              )}
              <h2>Timeline</h2>
              {entries.length === 0 ? <p className="muted">Nothing posted yet.</p> : null}
              <ol className="cards" aria-label="Timeline">
                {entries.map((e) => (
                  <li key={e.id}>
                    <PostCard entry={e} />
                  </li>
                ))}
              </ol>
              <div className="row">
                {cursor === undefined ? null : (
                  <button type="button" className="secondary" onClick={() => setCursor(undefined)}>
                    Newest
                  </button>
                )}
                {data.nextCursor === null ? null : (
                  <button type="button" onClick={() => setCursor(data.nextCursor ?? undefined)}>
                    Older posts
                  </button>
                )}
              </div>
            </>
          );
        }}
      </Request>
    </section>
  );
}
