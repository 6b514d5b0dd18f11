// One request's state for a component: loading, its error (a message naming the service) or its data; `reload`
// asks again. `every` polls (a timeline, a bridge message on its way).
import { useCallback, useEffect, useRef, useState } from "react";
import { messageOf } from "./http.ts";

export type RequestState<T> =
  | { readonly status: "idle" }
  | { readonly status: "loading" }
  | { readonly status: "error"; readonly error: string; readonly cause: unknown }
  | { readonly status: "ok"; readonly data: T };

export function useRequest<T>(
  fn: (() => Promise<T>) | undefined,
  deps: readonly unknown[],
  every?: number,
): { state: RequestState<T>; reload: () => void } {
  const [state, setState] = useState<RequestState<T>>(fn === undefined ? { status: "idle" } : { status: "loading" });
  const [tick, setTick] = useState(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to ask again
  useEffect(() => {
    const run = fnRef.current;
    if (run === undefined) {
      setState({ status: "idle" });
      return;
    }
    let live = true;
    setState((s) => (s.status === "ok" ? s : { status: "loading" }));
    run().then(
      (data) => live && setState({ status: "ok", data }),
      (cause: unknown) => live && setState({ status: "error", error: messageOf(cause), cause }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  useEffect(() => {
    if (every === undefined) return;
    const timer = setInterval(() => setTick((t) => t + 1), every);
    return () => clearInterval(timer);
  }, [every]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { state, reload };
}

/** An action's state (a button that sends something): idle, busy, done with a message, or failed. */
export type ActionState =
  | { status: "idle" }
  | { status: "busy" }
  | { status: "done"; message: string }
  | { status: "error"; error: string };

export function useAction(): [ActionState, (fn: () => Promise<string>) => Promise<void>] {
  const [state, setState] = useState<ActionState>({ status: "idle" });
  const run = useCallback(async (fn: () => Promise<string>) => {
    setState({ status: "busy" });
    try {
      setState({ status: "done", message: await fn() });
    } catch (e) {
      setState({ status: "error", error: messageOf(e) });
    }
  }, []);
  return [state, run];
}
