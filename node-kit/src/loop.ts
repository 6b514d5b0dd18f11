// A polling loop: run `tick`, wait `intervalMs`, repeat until stopped. `stop` waits for the tick in flight, so a
// shutdown never cuts a store write in half.
import { setTimeout as sleep } from "node:timers/promises";

export type Loop = { stop: () => Promise<void>; readonly done: Promise<void> };

export function startLoop(tick: () => Promise<void>, intervalMs: number): Loop {
  const controller = new AbortController();
  const done = (async () => {
    while (!controller.signal.aborted) {
      await tick();
      try {
        await sleep(intervalMs, undefined, { signal: controller.signal });
      } catch {
        return;
      }
    }
  })();
  return {
    done,
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}
