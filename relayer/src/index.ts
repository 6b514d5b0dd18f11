// The node layer (identity, keystore, logger, ...) as before it moved to node-kit; new code imports it from there.
export * from "@maskoii/node-kit";
export * from "./aggregator.ts";
export * from "./attester/run.ts";
export * from "./attester/server.ts";
export * from "./attester/signer.ts";
export * from "./chains/adapter.ts";
export * from "./chains/evm.ts";
export { AttesterClient, type AttesterClientOptions } from "./collector.ts";
export * from "./config.ts";
export * from "./doctor.ts";
export * from "./errors.ts";
export { batchProofs } from "./proofs.ts";
export * from "./relayer-run.ts";
export * from "./relayer-service.ts";
export * from "./store/index.ts";
