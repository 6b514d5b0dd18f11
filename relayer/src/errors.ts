/**
 * Typed errors of the attester node and the relayer. Every error has a stable `code`; callers branch on the class,
 * logs and the CLI print `code: message`.
 */
export type RelayerErrorCode =
  | "InvalidConfig"
  | "ConfigReadFailed"
  | "KeystoreMalformed"
  | "KeystoreWrongPassword"
  | "KeystoreKindMismatch"
  | "SecretUnavailable"
  | "InvalidBindingRecord"
  | "SigningConflict"
  | "RotationConflict"
  | "NotAnAttester"
  | "UnknownChain"
  | "ChainRpcFailed"
  | "DeliveryReverted"
  | "StoreFailed"
  | "InvalidKoiiArtefact";

export class RelayerError extends Error {
  readonly code: RelayerErrorCode;
  constructor(code: RelayerErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** A config field is missing or wrong; `field` is its dotted path. */
export class InvalidConfigError extends RelayerError {
  override name = "InvalidConfigError";
  readonly field: string;
  readonly problem: string;
  readonly issues: readonly { field: string; problem: string }[];
  constructor(source: string, issues: readonly { field: string; problem: string }[]) {
    const first = issues[0] ?? { field: "(root)", problem: "invalid" };
    const rest = issues.length > 1 ? ` (and ${issues.length - 1} more: ${issues.slice(1).map((i) => i.field)})` : "";
    super("InvalidConfig", `${source}: ${first.field}: ${first.problem}${rest}`);
    this.field = first.field;
    this.problem = first.problem;
    this.issues = issues;
  }
}

/** The config file cannot be read or is not JSON. */
export class ConfigReadFailedError extends RelayerError {
  override name = "ConfigReadFailedError";
  constructor(path: string, cause: unknown) {
    super("ConfigReadFailed", `cannot read config ${path}: ${cause instanceof Error ? cause.message : cause}`, {
      cause,
    });
  }
}

/** A keystore file does not have the expected structure. */
export class KeystoreMalformedError extends RelayerError {
  override name = "KeystoreMalformedError";
  constructor(source: string, problem: string) {
    super("KeystoreMalformed", `keystore ${source}: ${problem}`);
  }
}

/** The password does not open the keystore (authentication tag mismatch). */
export class KeystoreWrongPasswordError extends RelayerError {
  override name = "KeystoreWrongPasswordError";
  constructor(source: string) {
    super("KeystoreWrongPassword", `keystore ${source}: wrong password (or the file was tampered with)`);
  }
}

/** A keystore holds another kind of key than the one asked for. */
export class KeystoreKindMismatchError extends RelayerError {
  override name = "KeystoreKindMismatchError";
  constructor(source: string, expected: string, actual: string) {
    super("KeystoreKindMismatch", `keystore ${source} holds a ${actual} key, expected ${expected}`);
  }
}

/** A secret (password) could not be read from its file, environment variable or stdin. */
export class SecretUnavailableError extends RelayerError {
  override name = "SecretUnavailableError";
  constructor(what: string) {
    super("SecretUnavailable", `no secret available: ${what}`);
  }
}

/** A Koii identity binding record does not verify. */
export class InvalidBindingRecordError extends RelayerError {
  override name = "InvalidBindingRecordError";
  constructor(problem: string) {
    super("InvalidBindingRecord", `binding record: ${problem}`);
  }
}

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

/** No chain of the config serves this domain. */
export class UnknownChainError extends RelayerError {
  override name = "UnknownChainError";
  readonly domain: number;
  constructor(domain: number) {
    super("UnknownChain", `no configured chain for domain ${domain}`);
    this.domain = domain;
  }
}

/** An RPC call failed. */
export class ChainRpcError extends RelayerError {
  override name = "ChainRpcError";
  constructor(domain: number, what: string, cause: unknown) {
    super("ChainRpcFailed", `domain ${domain}: ${what} failed: ${cause instanceof Error ? cause.message : cause}`, {
      cause,
    });
  }
}

/** A delivery transaction was mined but reverted. */
export class DeliveryRevertedError extends RelayerError {
  override name = "DeliveryRevertedError";
  constructor(domain: number, txHash: string) {
    super("DeliveryReverted", `delivery on domain ${domain} reverted (tx ${txHash})`);
  }
}

/** The store failed (connection, migration, query). */
export class StoreError extends RelayerError {
  override name = "StoreError";
  constructor(what: string, cause: unknown) {
    super("StoreFailed", `store: ${what}: ${cause instanceof Error ? cause.message : cause}`, { cause });
  }
}

/**
 * A Koii task artefact (submission, audit vote, byzantine evidence; docs/protocol.md §9) was refused. `reason` is a
 * stable name (bad-signature, binding-mismatch, wrong-round, ...); callers and tests branch on it.
 */
export class InvalidKoiiArtefactError extends RelayerError {
  override name = "InvalidKoiiArtefactError";
  readonly artefact: "submission" | "vote" | "evidence";
  readonly reason: string;
  constructor(artefact: "submission" | "vote" | "evidence", reason: string, detail: string) {
    super("InvalidKoiiArtefact", `${artefact} rejected (${reason}): ${detail}`);
    this.artefact = artefact;
    this.reason = reason;
  }
}

/** A short text for logs: `code: message` for our errors, the message otherwise. */
export function describeError(error: unknown): string {
  if (error instanceof RelayerError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
