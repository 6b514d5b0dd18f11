/** Errors of Merkle batches (docs/protocol.md §5). */
import { MaskoiiError } from "./maskoii.ts";

/** A batch must contain at least one message id. */
export class EmptyBatchError extends MaskoiiError {
  override name = "EmptyBatchError";
  constructor() {
    super("EmptyBatch", "a batch needs at least one message id");
  }
}

/** A proof was requested for a leaf index outside the batch. */
export class LeafIndexOutOfRangeError extends MaskoiiError {
  override name = "LeafIndexOutOfRangeError";
  readonly index: number;
  constructor(index: number, size: number) {
    super("LeafIndexOutOfRange", `leaf index ${index} is outside a batch of ${size}`);
    this.index = index;
  }
}
