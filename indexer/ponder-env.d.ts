/// <reference types="ponder/virtual" />

// Types of Ponder's virtual modules (ponder:registry, ponder:schema, ponder:api) for this project; kept in the
// repository so that `tsc` (npm run lint) checks the handlers and the API without running Ponder's codegen first.
declare module "ponder:internal" {
  const config: typeof import("./ponder.config.ts");
  const schema: typeof import("./ponder.schema.ts");
}
