import { describe, expect, it } from "vitest";
import {
  allDomains,
  type Domain,
  domains,
  domainsForChainId,
  findDomain,
  getDomain,
  getDomainByChainId,
  getEvmDomain,
  isKnownDomain,
} from "../src/domains.ts";
import {
  AmbiguousChainIdError,
  FieldOutOfRangeError,
  NotEvmDomainError,
  UnknownChainIdError,
  UnknownDomainError,
} from "../src/errors/index.ts";
import { expectCode } from "./helpers.ts";

describe("domain registry", () => {
  it("lists the domains of spec §1", () => {
    expect(allDomains.map((d) => [d.id, d.family])).toEqual([
      [1, "evm"],
      [2, "svm"],
      [3, "svm"],
      [1001, "evm"],
      [1002, "evm"],
      [1003, "svm"],
    ]);
    expect(domains.devnetA.chainId).toBe(31337);
    expect(domains.devnetB.chainId).toBe(31338);
    expect(domains.ethereum.chainId).toBe(1);
  });

  it("looks domains up by id", () => {
    expect(getDomain(1002)).toBe(domains.devnetB);
    expect(findDomain(3)).toBe(domains.koii);
    expect(findDomain(4)).toBeUndefined();
    expect(isKnownDomain(1003)).toBe(true);
    expect(isKnownDomain(0)).toBe(false);
  });

  it("rejects domain 0 and unknown ids", () => {
    const err = expectCode(() => getDomain(0), "UnknownDomain", UnknownDomainError) as UnknownDomainError;
    expect(err.domain).toBe(0);
    expectCode(() => getDomain(77), "UnknownDomain", UnknownDomainError);
  });

  it("rejects ids that are not uint32", () => {
    expectCode(() => getDomain(-1), "FieldOutOfRange", FieldOutOfRangeError);
    expectCode(() => getDomain(2 ** 32), "FieldOutOfRange", FieldOutOfRangeError);
    expectCode(() => getDomain(1.5), "FieldOutOfRange", FieldOutOfRangeError);
  });

  it("returns EVM domains and rejects SVM ones where an EVM domain is required", () => {
    expect(getEvmDomain(1001).chainId).toBe(31337);
    expectCode(() => getEvmDomain(2), "NotEvmDomain", NotEvmDomainError);
  });

  it("maps chain ids to domains", () => {
    expect(getDomainByChainId(31338).id).toBe(1002);
    expect(domainsForChainId(999)).toEqual([]);
    expectCode(() => getDomainByChainId(999), "UnknownChainId", UnknownChainIdError);
  });

  it("refuses to guess when one chain id hosts two deployments", () => {
    const registry: Domain[] = [
      { id: 10, name: "a", family: "evm", chainId: 5 },
      { id: 11, name: "b", family: "evm", chainId: 5 },
      { id: 12, name: "c", family: "svm" },
    ];
    expect(domainsForChainId(5, registry).map((d) => d.id)).toEqual([10, 11]);
    const err = expectCode(() => getDomainByChainId(5, registry), "AmbiguousChainId", AmbiguousChainIdError);
    expect((err as AmbiguousChainIdError).domains).toEqual([10, 11]);
  });
});
