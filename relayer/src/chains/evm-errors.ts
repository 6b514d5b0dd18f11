// What an EVM RPC error means for the relayer: a revert of a simulated call (by the contract's error name and
// arguments), the paying account out of funds (an operator alert, never a retry storm), or a transaction too large for
// a block (split the batch). Nodes word these differently (geth, reth, Hardhat/EDR); the patterns cover each.
import { BaseError, ContractFunctionRevertedError } from "viem";
import { BlockGasLimitExceededError, InsufficientFundsError, RelayerError } from "../errors.ts";

/** Gateway errors that depend only on the message: a delivery refused with one of them can never succeed. */
export const PERMANENT_DELIVERY_ERRORS: ReadonlySet<string> = new Set([
  "InvalidRecipient",
  "WrongDestination",
  "MessageTooShort",
  "PayloadTooLong",
  "UnsupportedVersion",
]);

/** The text of an error and its causes, lowercased (for pattern matching only). */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let i = 0; i < 8 && e !== undefined && e !== null; i++) {
    const b = e as { message?: unknown; details?: unknown; shortMessage?: unknown; cause?: unknown };
    parts.push(String(b.details ?? ""), String(b.shortMessage ?? ""), String(b.message ?? e));
    e = b.cause;
  }
  return parts.join(" | ").toLowerCase();
}

/** The revert of a simulated call, by error name and arguments; undefined when the failure is not a decoded revert. */
export function revertOf(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(revert instanceof ContractFunctionRevertedError)) return undefined;
  const name = revert.data?.errorName ?? revert.reason;
  if (name === undefined) return "reverted without a reason";
  const args = revert.data?.args?.map((a) => String(a)).join(", ");
  return args === undefined || args === "" ? name : `${name}(${args})`;
}

/** The error name of a `revertOf` text (`InvalidRecipient(0x..)` -> `InvalidRecipient`). */
export const revertName = (reason: string): string => reason.replace(/\(.*$/s, "");

const INSUFFICIENT_FUNDS = /insufficient funds|doesn't have enough funds|does not have enough funds|not enough funds/;
const BLOCK_GAS_LIMIT =
  /exceeds block gas limit|exceeds the block gas limit|gas limit reached|transaction gas limit .*(exceeds|too high|above)|exceeds (the )?transaction gas limit|gas limit too high|gas limit cap/;

/** A simulation that cannot complete within the gas a block (or the node's cap) allows. */
const OUT_OF_GAS = /ran out of gas|out of gas|gas required exceeds allowance/;

export const isOutOfGas = (error: unknown): boolean => OUT_OF_GAS.test(errorText(error));
export const isInsufficientFunds = (error: unknown): boolean => INSUFFICIENT_FUNDS.test(errorText(error));
export const isBlockGasLimit = (error: unknown): boolean => BLOCK_GAS_LIMIT.test(errorText(error));

/**
 * The typed error an RPC failure stands for (insufficient funds, block gas limit), or undefined for any other
 * failure. Our own errors are left as they are.
 */
export function classifyRpcError(
  domain: number,
  account: string | undefined,
  error: unknown,
  gas?: bigint,
): RelayerError | undefined {
  if (error instanceof RelayerError) return undefined;
  if (isInsufficientFunds(error)) return new InsufficientFundsError(domain, account ?? "(unknown)", error);
  if (isBlockGasLimit(error)) return new BlockGasLimitExceededError(domain, gas, error);
  return undefined;
}
