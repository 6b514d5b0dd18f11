/** Errors of sealed payloads. */
import { describe, MaskoiiError } from "./maskoii.ts";

/** An X25519 key is not 32 bytes of hex. */
export class InvalidSealKeyError extends MaskoiiError {
  override name = "InvalidSealKeyError";
  readonly field: string;
  constructor(field: string, value: unknown) {
    super("InvalidSealKey", `${field}: expected a 32-byte X25519 key as 0x-prefixed hex, got ${describe(value)}`);
    this.field = field;
  }
}

/** Bytes that should be a sealed payload are too short or carry an unknown version. */
export class SealedPayloadMalformedError extends MaskoiiError {
  override name = "SealedPayloadMalformedError";
  constructor(reason: string) {
    super("SealedPayloadMalformed", `sealed payload: ${reason}`);
  }
}

/** A sealed payload failed authentication: wrong key, wrong destination/recipient context, or tampered bytes. */
export class SealedPayloadUnopenableError extends MaskoiiError {
  override name = "SealedPayloadUnopenableError";
  constructor() {
    super(
      "SealedPayloadUnopenable",
      "sealed payload: authentication failed (wrong key, wrong destination or recipient, or modified bytes)",
    );
  }
}
