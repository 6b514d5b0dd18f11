// Relayer and attester errors: chains: configuration, RPC, Solana program.
import { RelayerError } from "./root.ts";

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
      retryable: true,
    });
  }
}

/** The destination holds no attester set with this id. */
export class UnknownAttesterSetError extends RelayerError {
  override name = "UnknownAttesterSetError";
  constructor(domain: number, setId: bigint) {
    super("UnknownAttesterSet", `domain ${domain} has no attester set ${setId}`, { retryable: true });
  }
}

/** The Solana endpoint does not serve the configured maskoii program as this domain (missing, not initialized, other domain). */
export class SolanaDeploymentMismatchError extends RelayerError {
  override name = "SolanaDeploymentMismatchError";
  constructor(domain: number, problem: string) {
    super("SolanaDeploymentMismatch", `domain ${domain}: ${problem}`);
  }
}

/**
 * A Solana transaction failed with an error of the maskoii program (or of Anchor inside it, or of the recipient):
 * `errorName` is the program's name for it (`AttesterSetExpired`, `InsufficientWeight`, ...).
 */
export class SolanaProgramFailedError extends RelayerError {
  override name = "SolanaProgramFailedError";
  readonly errorName: string;
  constructor(domain: number, what: string, errorName: string, cause?: unknown) {
    super("SolanaProgramFailed", `domain ${domain}: ${what} failed: ${errorName}`, { cause, retryable: true });
    this.errorName = errorName;
  }
}

/**
 * The RPC providers of one origin chain do not agree on what it shows (chains/quorum.ts): nothing of the range is
 * recorded or signed until `quorum` of them agree.
 */
export class RpcDisagreementError extends RelayerError {
  override name = "RpcDisagreementError";
  readonly domain: number;
  constructor(domain: number, what: string, detail: string) {
    super("RpcDisagreement", `domain ${domain}: RPC providers disagree on ${what}: ${detail}`, { retryable: true });
    this.domain = domain;
  }
}

/** A chain's RPC answered something that is not what the call returns (e.g. a transaction signature of the wrong size). */
export class MalformedChainAnswerError extends RelayerError {
  override name = "MalformedChainAnswerError";
  constructor(what: string, value: string) {
    // Another provider, or the same one later, may answer properly.
    super("MalformedChainAnswer", `malformed ${what} from the chain: ${value}`, { retryable: true });
  }
}
