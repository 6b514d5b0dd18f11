/**
 * The maskoii program's address as a base58 string, straight from the committed IDL (its `declare_id!`). Kept apart
 * from the Solana client so that code needing only the address (configs, schemas) does not load web3.js and SPL Token.
 */
import IDL_JSON from "./idl/maskoii.json" with { type: "json" };

export const MASKOII_PROGRAM_ADDRESS: string = IDL_JSON.address;
