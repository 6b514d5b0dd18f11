/** Errors of messages (docs/protocol.md §2); codes are the Message.sol error names. */
import { MaskoiiError } from "./maskoii.ts";

/** The message is shorter than its 81-byte header. */
export class MessageTooShortError extends MaskoiiError {
  override name = "MessageTooShortError";
  readonly length: number;
  constructor(length: number) {
    super("MessageTooShort", `message of ${length} bytes is shorter than the 81-byte header`);
    this.length = length;
  }
}

/** The message's version byte is not 1. */
export class UnsupportedVersionError extends MaskoiiError {
  override name = "UnsupportedVersionError";
  readonly version: number;
  constructor(version: number) {
    super("UnsupportedVersion", `unsupported message version ${version}`);
    this.version = version;
  }
}

/** The payload is longer than 4096 bytes. */
export class PayloadTooLongError extends MaskoiiError {
  override name = "PayloadTooLongError";
  readonly length: number;
  constructor(length: number) {
    super("PayloadTooLong", `payload of ${length} bytes exceeds 4096 bytes`);
    this.length = length;
  }
}
