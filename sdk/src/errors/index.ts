/** Every error class of the sdk root, by area; `BaseError` is the root every maskoii error extends. */
export * from "./attestation.ts";
export * from "./attester-set.ts";
export * from "./base.ts";
export * from "./config.ts";
export * from "./domain.ts";
export * from "./input.ts";
export { MaskoiiError, type MaskoiiErrorCode } from "./maskoii.ts";
export * from "./merkle.ts";
export * from "./message.ts";
export * from "./revenue.ts";
export * from "./sealed.ts";
export * from "./token.ts";
