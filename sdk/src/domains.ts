import {
  AmbiguousChainIdError,
  FieldOutOfRangeError,
  NotEvmDomainError,
  UnknownChainIdError,
  UnknownDomainError,
} from "./errors/index.ts";

/** The chain family of a domain: how addresses and signatures look there. */
export type DomainFamily = "evm" | "svm";

/** A domain on an EVM chain; `chainId` is the EVM chain id it runs on. */
export type EvmDomain = {
  readonly id: number;
  readonly name: string;
  readonly family: "evm";
  readonly chainId: number;
};
/** A domain on an SVM chain (Solana, Koii K2): no chain id. */
export type SvmDomain = { readonly id: number; readonly name: string; readonly family: "svm" };
/** One entry of the domain registry (docs/protocol.md §1). */
export type Domain = EvmDomain | SvmDomain;

/** The domain registry of docs/protocol.md §1, by name. Domain 0 is invalid everywhere and never listed. */
export const domains = {
  ethereum: { id: 1, name: "Ethereum mainnet", family: "evm", chainId: 1 },
  solana: { id: 2, name: "Solana mainnet-beta", family: "svm" },
  koii: { id: 3, name: "Koii K2 mainnet", family: "svm" },
  devnetA: { id: 1001, name: "local devnet EVM chain A", family: "evm", chainId: 31337 },
  devnetB: { id: 1002, name: "local devnet EVM chain B", family: "evm", chainId: 31338 },
  devnetSolana: { id: 1003, name: "local devnet Solana", family: "svm" },
} as const satisfies Record<string, Domain>;

/** Every registered domain, ascending by id. */
export const allDomains: readonly Domain[] = Object.values(domains).sort((a, b) => a.id - b.id);

const byId: ReadonlyMap<number, Domain> = new Map(allDomains.map((d) => [d.id, d]));

/** The registry entry of `id`, or `undefined` if the domain is not registered. */
export function findDomain(id: number): Domain | undefined {
  return byId.get(id);
}

/** The registry entry of `id`; throws `UnknownDomainError` for unregistered ids (including 0). */
export function getDomain(id: number): Domain {
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) {
    throw new FieldOutOfRangeError("domain", id, 0n, 0xffffffffn);
  }
  const domain = byId.get(id);
  if (domain === undefined) throw new UnknownDomainError(id);
  return domain;
}

/** Whether `id` is a registered domain. */
export function isKnownDomain(id: number): boolean {
  return byId.has(id);
}

/** The registry entry of `id`, which must be an EVM domain (`NotEvmDomainError` otherwise). */
export function getEvmDomain(id: number): EvmDomain {
  const domain = getDomain(id);
  if (domain.family !== "evm") throw new NotEvmDomainError(id, domain.family);
  return domain;
}

/** Every EVM domain of `registry` (default: the built-in one) that runs on `chainId`: none, one or several. */
export function domainsForChainId(chainId: number, registry: readonly Domain[] = allDomains): readonly EvmDomain[] {
  return registry.filter((d): d is EvmDomain => d.family === "evm" && d.chainId === chainId);
}

/**
 * The unique EVM domain on `chainId`. Throws `UnknownChainIdError` if none, `AmbiguousChainIdError` if one chain id
 * hosts several deployments (then the domain must be configured explicitly).
 */
export function getDomainByChainId(chainId: number, registry: readonly Domain[] = allDomains): EvmDomain {
  const found = domainsForChainId(chainId, registry);
  const [first] = found;
  if (first === undefined) throw new UnknownChainIdError(chainId);
  if (found.length > 1)
    throw new AmbiguousChainIdError(
      chainId,
      found.map((d) => d.id),
    );
  return first;
}
