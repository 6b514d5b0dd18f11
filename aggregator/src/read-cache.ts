// A short-lived cache of chain reads, keyed by a string: a hit younger than `ttlMs` is reused (concurrent callers
// share the one read in flight); a read that fails is dropped, so the next caller tries again.
export class ReadCache {
  readonly #ttlMs: number;
  readonly #entries = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  get<T>(key: string, read: () => Promise<T>): Promise<T> {
    const hit = this.#entries.get(key);
    if (hit !== undefined && Date.now() - hit.at < this.#ttlMs) return hit.value as Promise<T>;
    const value = read();
    this.#entries.set(key, { at: Date.now(), value });
    value.catch(() => this.#entries.delete(key));
    return value;
  }
}
