// Publishing to a network (the proofs, member keys and sealed posts a member posts from its own account): Mastodon's
// statuses API with the account's access token. The token is typed by the user and kept in this tab only.
import { z } from "zod";
import { request } from "./http.ts";

export async function publishStatus(
  baseUrl: string,
  token: string,
  text: string,
): Promise<{ id: string; url: string | null }> {
  return request(
    "the network (Mastodon statuses API)",
    `${baseUrl}/api/v1/statuses`,
    z.object({ id: z.string(), url: z.string().nullable() }).passthrough(),
    {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ status: text, visibility: "public" }),
    },
  );
}
