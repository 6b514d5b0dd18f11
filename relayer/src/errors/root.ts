import { NodeError } from "@maskoii/node-kit";

/** The root of every node error (node-kit's `NodeError`): the relayer's errors and node-kit's share one class. */
export const RelayerError = NodeError;
export type RelayerError = NodeError;
