// Small shared pieces: a request's loading / error view, an action's status line, labelled fields.
import type { ReactNode } from "react";
import type { ActionState, RequestState } from "./lib/use-request.ts";

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function ErrorBox({ title, error, retry }: { title: string; error: string; retry?: () => void }) {
  return (
    <div className="error" role="alert">
      <strong>{title}</strong>
      <p>{error}</p>
      {retry === undefined ? null : (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Request<T>({
  state,
  what,
  retry,
  children,
}: {
  state: RequestState<T>;
  what: string;
  retry?: () => void;
  children: (data: T) => ReactNode;
}) {
  if (state.status === "idle") return null;
  if (state.status === "loading") return <Loading what={what} />;
  if (state.status === "error") {
    return (
      <ErrorBox title={`Could not load ${what}`} error={state.error} {...(retry === undefined ? {} : { retry })} />
    );
  }
  return <>{children(state.data)}</>;
}

export function ActionStatus({ state, label }: { state: ActionState; label: string }) {
  if (state.status === "idle") return null;
  if (state.status === "busy")
    return (
      <p className="muted" role="status" aria-live="polite">
        {label}…
      </p>
    );
  if (state.status === "error")
    return (
      <p className="error-line" role="alert">
        {state.error}
      </p>
    );
  return (
    <p className="ok" role="status" aria-live="polite">
      {state.message}
    </p>
  );
}

export function Field({
  label,
  id,
  children,
  hint,
}: {
  label: string;
  id: string;
  children: ReactNode;
  hint?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint === undefined ? null : (
        <small id={`${id}-hint`} className="muted">
          {hint}
        </small>
      )}
    </div>
  );
}

export function short(hex: string, keep = 6): string {
  return hex.length <= keep * 2 + 2 ? hex : `${hex.slice(0, keep + 2)}…${hex.slice(-keep)}`;
}

export function NeedsWallet({ connected, children }: { connected: boolean; children: ReactNode }) {
  if (!connected) return <p className="notice">Connect a wallet (top right) to use this page.</p>;
  return <>{children}</>;
}
