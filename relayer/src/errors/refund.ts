// Relayer and attester errors: refunds.
import { RelayerError } from "./root.ts";

/**
 * An attester will not sign a refund receipt for `messageId` (docs/protocol.md §8.1): the chains do not show what the
 * rules need (no final refund record, the origin does not show the transfer, the receipt would not match). `retry`:
 * the answer may change once more blocks are final (e.g. the origin's watcher is behind); false for a refusal that
 * stands (a delivery signature for this id, a forged or mismatched record).
 */
export class RefundRefusedError extends RelayerError {
  override name = "RefundRefusedError";
  readonly messageId: string;
  readonly reason: string;
  readonly retry: boolean;
  constructor(messageId: string, reason: string, retry: boolean) {
    super("RefundRefused", `refusing to sign a refund of ${messageId}: ${reason}`);
    this.messageId = messageId;
    this.reason = reason;
    this.retry = retry;
  }
}

/** The refund journal already holds another receipt for this (origin, nonce): at most one refund per nonce. */
export class RefundConflictError extends RelayerError {
  override name = "RefundConflictError";
  constructor(origin: number, nonce: bigint, journaled: string, requested: string) {
    super(
      "RefundConflict",
      `refusing to sign refund ${requested}: (origin ${origin}, nonce ${nonce}) already has refund ${journaled}`,
    );
  }
}

/** Submitting a refund on its origin failed (no quorum, a revert other than AlreadyRefunded, a paused origin). */
export class RefundFailedError extends RelayerError {
  override name = "RefundFailedError";
  readonly messageId: string;
  constructor(messageId: string, reason: string) {
    super("RefundFailed", `refund of ${messageId}: ${reason}`);
    this.messageId = messageId;
  }
}
