/**
 * Errors of the revenue formats (docs/protocol.md §11). `UnknownPlatform` is RevenueCodec.sol's error; the others are
 * SDK-only (the contracts never see account names, whole trees or JSON).
 */
import { BaseError } from "./base.ts";
import { describe, MaskoiiError } from "./maskoii.ts";

/** A platform number outside 1..5 (RevenueCodec.UnknownPlatform). */
export class UnknownPlatformError extends MaskoiiError {
  override name = "UnknownPlatformError";
  readonly platform: unknown;
  constructor(platform: unknown) {
    super("UnknownPlatform", `unknown platform ${describe(platform)}; expected 1..5`);
    this.platform = platform;
  }
}

/** A platform account (fid, DID, actor URI, profile id, handle) that is not valid for its platform. */
export class InvalidAccountIdError extends MaskoiiError {
  override name = "InvalidAccountIdError";
  readonly platform: number;
  constructor(platform: number, value: unknown, reason: string) {
    super("InvalidAccountId", `platform ${platform}: invalid account ${describe(value)}: ${reason}`);
    this.platform = platform;
  }
}

/** Two payout entries of one tree name the same (account, token): a tree holds one cumulative amount per pair. */
export class DuplicatePayoutLeafError extends MaskoiiError {
  override name = "DuplicatePayoutLeafError";
  readonly account: string;
  readonly token: string;
  constructor(account: string, token: string) {
    super("DuplicatePayoutLeaf", `two payout entries for account ${account} and token ${token}`);
    this.account = account;
    this.token = token;
  }
}

/** Two payout entries of one tree (or two pairs of a slot table) share a claim slot: each pair needs its own. */
export class DuplicatePayoutSlotError extends MaskoiiError {
  override name = "DuplicatePayoutSlotError";
  readonly slot: bigint;
  constructor(slot: bigint) {
    super("DuplicatePayoutSlot", `two payout entries share slot ${slot}`);
    this.slot = slot;
  }
}

/** A payout proof does not lead from the leaf to the root. */
export class InvalidPayoutProofError extends MaskoiiError {
  override name = "InvalidPayoutProofError";
  constructor(root: string) {
    super("InvalidPayoutProof", `payout proof does not lead from the leaf to root ${root}`);
  }
}

/** A payout proof was asked for an (account, token) the tree does not hold. */
export class PayoutLeafNotFoundError extends MaskoiiError {
  override name = "PayoutLeafNotFoundError";
  constructor(account: string, token: string) {
    super("PayoutLeafNotFound", `no payout leaf for account ${account} and token ${token}`);
  }
}

/** A JSON revenue value (report, binding, payout entries) does not match its schema. */
export class InvalidRevenueJsonError extends MaskoiiError {
  override name = "InvalidRevenueJsonError";
  readonly what: string;
  readonly issues: readonly { readonly field: string; readonly message: string }[];
  constructor(what: string, issues: readonly { field: string; message: string }[]) {
    super("InvalidRevenueJson", `invalid ${what}: ${issues.map((i) => `${i.field}: ${i.message}`).join("; ")}`);
    this.what = what;
    this.issues = issues;
  }
}

/**
 * A revenue contract refused a call (simulation or transaction): `errorName` and `args` are the Solidity custom error
 * (`BelowKAnonymity`, `PayoutCapExceeded`, ...), or `errorName` is empty when the revert carried no decodable error.
 * Not retryable: the same call in the same state fails the same way.
 */
export class RevenueCallRevertedError extends MaskoiiError {
  override name = "RevenueCallRevertedError";
  readonly functionName: string;
  readonly errorName: string;
  readonly args: readonly unknown[];
  constructor(functionName: string, errorName: string, args: readonly unknown[], cause: unknown) {
    super("RevenueCallReverted", `${functionName} reverted${errorName === "" ? "" : `: ${errorName}`}`, { cause });
    this.functionName = functionName;
    this.errorName = errorName;
    this.args = args;
  }
}

/** A revenue contract call failed for another reason than a revert (RPC, transport, a dropped transaction). */
export class RevenueCallFailedError extends BaseError<"RevenueCallFailed"> {
  override name = "RevenueCallFailedError";
  readonly functionName: string;
  constructor(functionName: string, cause: unknown) {
    super("RevenueCallFailed", `${functionName} failed`, { cause, retryable: true });
    this.functionName = functionName;
  }
}

/** A write was asked of a revenue client built without a wallet client (or one without an account). */
export class RevenueWalletMissingError extends MaskoiiError {
  override name = "RevenueWalletMissingError";
  constructor(functionName: string) {
    super("RevenueWalletMissing", `${functionName} needs a wallet client with an account`);
  }
}
