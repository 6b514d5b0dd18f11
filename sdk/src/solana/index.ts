export * from "./client.ts";
export * from "./errors.ts";
export { IDL, type Maskoii } from "./idl/maskoii.ts";
export * from "./pda.ts";
