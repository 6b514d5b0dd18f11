/** The revenue formats (docs/protocol.md §11): bindings, reports, resolutions, payout leaves and the payout tree. */
export * from "./binding.ts";
export * from "./client.ts";
export * from "./json.ts";
export * from "./payout-tree.ts";
export * from "./platforms.ts";
export * from "./report.ts";
