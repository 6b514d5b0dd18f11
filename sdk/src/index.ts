export * from "./abi/index.ts";
export * from "./attestation.ts";
export * from "./attester-set.ts";
export * from "./base58.ts";
export * from "./claims.ts";
export * from "./config.ts";
export * from "./domains.ts";
export * from "./errors/index.ts";
export * from "./merkle.ts";
export * from "./message.ts";
export * from "./refund.ts";
export * from "./revenue/index.ts";
export * from "./sealed.ts";
// Only the program address (a string from the IDL); the Solana client itself is "@maskoii/sdk/solana".
export { MASKOII_PROGRAM_ADDRESS } from "./solana/address.ts";
export * from "./token.ts";
