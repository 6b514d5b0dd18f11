// Relayer and attester errors: signing journal and attester membership.
import { RelayerError } from "./root.ts";

/**
 * The signing journal already holds another message id for this (origin, nonce): signing would equivocate
 * (docs/protocol.md §6), so the attester refuses.
 */
export class SigningConflictError extends RelayerError {
  override name = "SigningConflictError";
  readonly origin: number;
  readonly nonce: bigint;
  readonly journaled: string;
  readonly requested: string;
  constructor(origin: number, nonce: bigint, journaled: string, requested: string) {
    super(
      "SigningConflict",
      `refusing to sign ${requested}: (origin ${origin}, nonce ${nonce}) is journaled as ${journaled}`,
    );
    this.origin = origin;
    this.nonce = nonce;
    this.journaled = journaled;
    this.requested = requested;
  }
}

/** The rotation journal already holds another next-set hash for this (domain, verifier, set id). */
export class RotationConflictError extends RelayerError {
  override name = "RotationConflictError";
  constructor(domain: number, setId: bigint, journaled: string, requested: string) {
    super(
      "RotationConflict",
      `refusing to sign rotation ${requested} of set ${setId} on domain ${domain}: already signed ${journaled}`,
    );
  }
}

/** The node's attesting key is not a member of the destination's current set. */
export class NotAnAttesterError extends RelayerError {
  override name = "NotAnAttesterError";
  constructor(address: string, domain: number, setId: bigint) {
    super("NotAnAttester", `${address} is not a member of set ${setId} on domain ${domain}`);
  }
}
