/** Errors of attester sets (docs/protocol.md §4); codes are the AttesterSet error names. */
import { describe, MaskoiiError } from "./maskoii.ts";

/** An attester set needs at least one member. */
export class EmptyAttesterSetError extends MaskoiiError {
  override name = "EmptyAttesterSetError";
  constructor() {
    super("EmptyAttesterSet", "an attester set needs at least one member");
  }
}

/** An attester set has more than 128 members. */
export class TooManyAttestersError extends MaskoiiError {
  override name = "TooManyAttestersError";
  readonly count: number;
  constructor(count: number) {
    super("TooManyAttesters", `attester set of ${count} members; at most 128`);
    this.count = count;
  }
}

/** Attesters and weights have different lengths. */
export class AttesterWeightsLengthMismatchError extends MaskoiiError {
  override name = "AttesterWeightsLengthMismatchError";
  constructor(attesters: number, weights: number) {
    super("AttesterWeightsLengthMismatch", `${attesters} attesters but ${weights} weights`);
  }
}

/** thresholdBps must be in 5001..10000. */
export class InvalidThresholdError extends MaskoiiError {
  override name = "InvalidThresholdError";
  readonly thresholdBps: number;
  constructor(thresholdBps: number) {
    super("InvalidThreshold", `thresholdBps ${thresholdBps} is outside 5001..10000`);
    this.thresholdBps = thresholdBps;
  }
}

/** The zero address cannot be an attester. */
export class ZeroAddressAttesterError extends MaskoiiError {
  override name = "ZeroAddressAttesterError";
  constructor() {
    super("ZeroAddressAttester", "the zero address cannot be an attester");
  }
}

/** Attesters are not strictly ascending by address. */
export class AttestersNotSortedError extends MaskoiiError {
  override name = "AttestersNotSortedError";
  readonly index: number;
  constructor(index: number) {
    super("AttestersNotSorted", `attester ${index} is not strictly above attester ${index - 1}`);
    this.index = index;
  }
}

/** Every attester weight must be positive. */
export class ZeroAttesterWeightError extends MaskoiiError {
  override name = "ZeroAttesterWeightError";
  readonly index: number;
  constructor(index: number) {
    super("ZeroAttesterWeight", `attester ${index} has zero weight`);
    this.index = index;
  }
}

/** The total weight does not fit uint96. */
export class TotalWeightOverflowError extends MaskoiiError {
  override name = "TotalWeightOverflowError";
  constructor(total: bigint) {
    super("TotalWeightOverflow", `total weight ${total} does not fit uint96`);
  }
}

/** Attester set ids start at 1 and are uint64. */
export class InvalidSetIdError extends MaskoiiError {
  override name = "InvalidSetIdError";
  constructor(setId: unknown) {
    super("InvalidSetId", `attester set id ${describe(setId)} is not in 1..2^64-1`);
  }
}
