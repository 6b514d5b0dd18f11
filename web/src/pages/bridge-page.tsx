// Bridge status: a message id or the hash of the transaction that sent it, looked up in the indexer; its lifecycle
// across EVM and Solana, each step with its chain and time since the send, refreshed until it settles.
import { useState } from "react";
import { z } from "zod";
import { type BridgeMessage, messageSchema } from "../lib/api.ts";
import { RequestFailedError, request } from "../lib/http.ts";
import { useRequest } from "../lib/use-request.ts";
import { chainName, type Stack, useStack } from "../stack.tsx";
import { Field, Request, short } from "../ui.tsx";

const SETTLED = new Set(["delivered", "refunded", "failed", "rejected"]);
const byTxSchema = z.object({
  data: z.object({ messageEvents: z.object({ items: z.array(z.object({ messageId: z.string() })) }) }).nullable(),
});

async function lookUp(stack: Stack, input: string): Promise<BridgeMessage> {
  const indexer = stack.indexer;
  if (indexer === undefined) throw new RequestFailedError("the indexer", "down", "This stack runs no indexer.");
  const id = input.toLowerCase();
  try {
    return await request("the indexer", `${indexer}/messages/${id}`, messageSchema);
  } catch (e) {
    if (!(e instanceof RequestFailedError && e.status === 404)) throw e;
  }
  // Not a message id: the transaction that sent one (or any step of one).
  const found = await request("the indexer (GraphQL)", `${indexer}/graphql`, byTxSchema, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query: "query ($tx: String!) { messageEvents(where: { tx: $tx }, limit: 1) { items { messageId } } }",
      variables: { tx: id },
    }),
  });
  const messageId = found.data?.messageEvents.items[0]?.messageId;
  if (messageId === undefined) {
    throw new RequestFailedError(
      "the indexer",
      "status",
      `No bridge message or transaction ${short(id)} is indexed (yet).`,
      404,
    );
  }
  return request("the indexer", `${indexer}/messages/${messageId}`, messageSchema);
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function BridgePage() {
  const stack = useStack();
  const [input, setInput] = useState("");
  const [query, setQuery] = useState<string | undefined>();
  const [settled, setSettled] = useState(false);
  const { state, reload } = useRequest(
    query === undefined
      ? undefined
      : async () => {
          const m = await lookUp(stack, query);
          setSettled(SETTLED.has(m.status));
          return m;
        },
    [query],
    settled ? undefined : 2_000,
  );
  return (
    <section aria-labelledby="bridge-title">
      <h1 id="bridge-title">Bridge status</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const v = input.trim();
          if (/^0x[0-9a-fA-F]{64}$/.test(v)) {
            setSettled(false);
            setQuery(v);
          }
        }}
      >
        <Field label="Message id or transaction hash" id="bridge-query" hint="0x followed by 64 hex digits">
          <input
            id="bridge-query"
            className="mono"
            value={input}
            onChange={(e) => setInput(e.target.value)}
            spellCheck={false}
          />
        </Field>
        <button type="submit" disabled={!/^0x[0-9a-fA-F]{64}$/.test(input.trim())}>
          Follow
        </button>
      </form>
      <Request state={state} what="the bridge message" retry={reload}>
        {(m) => {
          const events = m.events;
          const start = events[0] === undefined ? undefined : Number(events[0].timestamp);
          return (
            <>
              <h2>
                Message <span className="mono">{short(m.id, 8)}</span>
              </h2>
              <p>
                {chainName(stack, m.originDomain)} → {chainName(stack, m.destinationDomain)}:{" "}
                <strong data-testid="bridge-status">{m.status}</strong>
                {SETTLED.has(m.status) ? "" : " (updating)"}
              </p>
              <ol className="timeline-steps" aria-label="Lifecycle">
                {events.map((e) => (
                  <li key={e.id}>
                    <strong>{e.kind.replace(/_/g, " ")}</strong> on {chainName(stack, e.domain)}
                    {start === undefined ? "" : ` · +${seconds((Number(e.timestamp) - start) * 1000)}`}
                    <div className="muted mono">tx {short(e.tx, 8)}</div>
                  </li>
                ))}
              </ol>
            </>
          );
        }}
      </Request>
    </section>
  );
}
