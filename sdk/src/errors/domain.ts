/** Errors of the domain registry (docs/protocol.md §1). */
import { MaskoiiError } from "./maskoii.ts";

/** The domain id is not in the registry (domain 0 never is). */
export class UnknownDomainError extends MaskoiiError {
  override name = "UnknownDomainError";
  readonly domain: number;
  constructor(domain: number) {
    super("UnknownDomain", `unknown maskoii domain ${domain}`);
    this.domain = domain;
  }
}

/** No EVM domain of the registry runs on this chain id. */
export class UnknownChainIdError extends MaskoiiError {
  override name = "UnknownChainIdError";
  readonly chainId: number;
  constructor(chainId: number) {
    super("UnknownChainId", `no maskoii domain for EVM chain id ${chainId}`);
    this.chainId = chainId;
  }
}

/** More than one EVM domain runs on this chain id, so the chain id alone does not name a domain. */
export class AmbiguousChainIdError extends MaskoiiError {
  override name = "AmbiguousChainIdError";
  readonly chainId: number;
  readonly domains: readonly number[];
  constructor(chainId: number, domains: readonly number[]) {
    super("AmbiguousChainId", `EVM chain id ${chainId} hosts several maskoii domains: ${domains.join(", ")}`);
    this.chainId = chainId;
    this.domains = domains;
  }
}

/** An EVM-only operation was asked of a non-EVM domain. */
export class NotEvmDomainError extends MaskoiiError {
  override name = "NotEvmDomainError";
  readonly domain: number;
  constructor(domain: number, family: string) {
    super("NotEvmDomain", `maskoii domain ${domain} is a ${family} domain, not evm`);
    this.domain = domain;
  }
}
