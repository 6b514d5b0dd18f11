// The one function of pg-copy-streams (Ponder's own COPY dependency) the indexer bench's raw baseline uses; the
// package ships no types.
declare module "pg-copy-streams" {
  import type { Writable } from "node:stream";
  import type { Submittable } from "pg";
  export function from(text: string): Writable & Submittable;
}
