// The member's network account the client publishes with (Mastodon handle and access token), kept per tab.
import { useState } from "react";
import { Field } from "./ui.tsx";

export type NetworkAccount = { acct: string; token: string };

const KEY = "maskoii.network-account";

export function loadAccount(): NetworkAccount {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(KEY) ?? "{}") as Partial<NetworkAccount>;
    return { acct: parsed.acct ?? "", token: parsed.token ?? "" };
  } catch {
    return { acct: "", token: "" };
  }
}

export function AccountFields({ host, onChange }: { host: string; onChange?: (a: NetworkAccount) => void }) {
  const [account, setAccount] = useState(loadAccount);
  const update = (next: NetworkAccount) => {
    setAccount(next);
    sessionStorage.setItem(KEY, JSON.stringify(next));
    onChange?.(next);
  };
  return (
    <fieldset>
      <legend>Your Mastodon account (publishes from it)</legend>
      <Field label="Handle" id="acct" hint={`e.g. alice@${host}`}>
        <input
          id="acct"
          value={account.acct}
          autoComplete="username"
          onChange={(e) => update({ ...account, acct: e.target.value.trim() })}
        />
      </Field>
      <Field label="Access token" id="token" hint="Kept in this browser tab only.">
        <input
          id="token"
          type="password"
          value={account.token}
          autoComplete="off"
          onChange={(e) => update({ ...account, token: e.target.value.trim() })}
        />
      </Field>
    </fieldset>
  );
}
