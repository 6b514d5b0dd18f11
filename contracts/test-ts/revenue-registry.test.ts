// Issue 13 points 1 and 2 on a local chain with viem: create a community, change its policy (in force from the next
// epoch only), bind three platform accounts to one persona with quorum attestations, revoke one, and name a Solana
// payout recipient. The IdentityBinding digest is built here with viem's EIP-712 `hashTypedData`, independently of
// the Solidity code it is checked against.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ATTESTATION_DOMAIN,
  communityRegistryAbi,
  encodeAttestation,
  identityRegistryAbi,
  signDigest,
} from "@maskoii/sdk";
import {
  type Address,
  encodeAbiParameters,
  getAddress,
  getContract,
  type Hex,
  hashTypedData,
  keccak256,
  stringToHex,
} from "viem";
import { type Chain, createWorld, mined, toBytes32, type World } from "./helpers/world.ts";

const EPOCH = 3600;
const FARCASTER = 1;
const BLUESKY = 2;
const X = 5;

/** A split policy word: creators ‖ treasury ‖ operators ‖ protocol, uint16 each, high to low. */
function policy(creators: number, treasury: number, operators: number, protocol: number): bigint {
  return (BigInt(creators) << 48n) | (BigInt(treasury) << 32n) | (BigInt(operators) << 16n) | BigInt(protocol);
}

// TODO(sdk): use the sdk's IdentityBinding kind (Helper C, issue 13) once it is on main.
const identityBindingTypes = {
  IdentityBinding: [
    { name: "domain", type: "uint32" },
    { name: "verifier", type: "bytes32" },
    { name: "attesterSetId", type: "uint64" },
    { name: "bindingHash", type: "bytes32" },
  ],
} as const;

function bindingHash(platform: number, accountId: Hex, persona: Address, sequence: bigint): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint8" }, { type: "bytes32" }, { type: "address" }, { type: "uint64" }],
      [platform, accountId, persona, sequence],
    ),
  );
}

describe("revenue registries: communities and identities", () => {
  let world: World;
  let a: Chain;
  let communities: Address;
  let identities: Address;

  const registryAs = (wallet: Chain["wallets"]["owner"]) =>
    getContract({ abi: communityRegistryAbi, address: communities, client: { public: a.publicClient, wallet } });
  const identityAs = (wallet: Chain["wallets"]["owner"]) =>
    getContract({ abi: identityRegistryAbi, address: identities, client: { public: a.publicClient, wallet } });

  /** A 2-of-3 IdentityBinding attestation for the registry on chain A. */
  function attestBinding(platform: number, accountId: Hex, persona: Address, sequence: bigint): Hex {
    const digest = hashTypedData({
      domain: ATTESTATION_DOMAIN,
      types: identityBindingTypes,
      primaryType: "IdentityBinding",
      message: {
        domain: a.domain,
        verifier: toBytes32(identities),
        attesterSetId: 1n,
        bindingHash: bindingHash(platform, accountId, persona, sequence),
      },
    });
    const signatures = [0, 1].map((index) => {
      const member = world.attesters[index];
      if (member === undefined) throw new Error(`no member ${index}`);
      return { index, ...signDigest(digest, member.privateKey) };
    });
    return encodeAttestation(1n, signatures);
  }

  before(async () => {
    world = await createWorld();
    a = world.a;
    const now = (await a.publicClient.getBlock()).timestamp;
    const registry = await a.connection.viem.deployContract("CommunityRegistry", [Number(now), EPOCH]);
    communities = registry.address;
    const identity = await a.connection.viem.deployContract("IdentityRegistry", [a.addresses.gateway]);
    identities = identity.address;
  });
  after(async () => world.close());

  it("creates a community and changes its policy from the next epoch only", async () => {
    const owner = registryAs(a.wallets.user);
    const treasury = getAddress(a.wallets.stranger.account.address);
    const sources = [
      stringToHex("https://warpcast.com/~/channel/maskoii"),
      stringToHex("rss:https://example.org/feed"),
    ];
    await mined(
      a,
      owner.write.createCommunity(["ipfs://community", treasury, sources, policy(7000, 1500, 1000, 500), 0, 0]),
    );
    const id = 1n;
    assert.equal(await owner.read.exists([id]), true);
    assert.equal(await owner.read.treasuryOf([id]), treasury);
    assert.equal(await owner.read.kAnonymityOf([id]), 10);
    assert.equal(await owner.read.unclaimedExpiryEpochsOf([id]), 26);
    assert.deepEqual(await owner.read.sourcesOf([id]), sources);

    const epoch = await owner.read.currentEpoch();
    await mined(a, owner.write.setPolicy([id, policy(6000, 2000, 1500, 500)]));
    assert.equal(await owner.read.policyAt([id, epoch]), policy(7000, 1500, 1000, 500), "current epoch unchanged");
    assert.equal(await owner.read.policyAt([id, epoch + 1n]), policy(6000, 2000, 1500, 500), "next epoch");

    await a.connection.networkHelpers.time.increase(EPOCH);
    assert.equal(await owner.read.currentEpoch(), epoch + 1n);
    assert.equal(await owner.read.policyAt([id, epoch]), policy(7000, 1500, 1000, 500), "still unchanged");

    await a.connection.viem.assertions.revertWithCustomError(
      registryAs(a.wallets.relayer).write.setPolicy([id, policy(10_000, 0, 0, 0)]),
      owner,
      "NotCommunityOwner",
    );
    await a.connection.viem.assertions.revertWithCustomError(
      owner.write.setPolicy([id, policy(8000, 0, 0, 2000)]),
      owner,
      "ProtocolFeeTooHigh",
    );
  });

  it("binds three accounts to one persona, refuses a replay, revokes one", async () => {
    const relayer = identityAs(a.wallets.relayer);
    const persona = getAddress(a.wallets.user.account.address);
    const fid = toBytes32(`0x${(4242).toString(16)}`);
    const did = keccak256(stringToHex("did:plc:ewvi7nxzyoun6zhxrhs64oiz"));
    const handle = keccak256(stringToHex("alice_koii"));
    const accounts: [number, Hex][] = [
      [FARCASTER, fid],
      [BLUESKY, did],
      [X, handle],
    ];
    for (const [platform, accountId] of accounts) {
      const attestation = attestBinding(platform, accountId, persona, 1n);
      await mined(a, relayer.write.bind([platform, accountId, persona, 1n, attestation]));
      assert.equal(await relayer.read.personaOf([platform, accountId]), persona);
    }

    await a.connection.viem.assertions.revertWithCustomError(
      relayer.write.bind([FARCASTER, fid, persona, 1n, attestBinding(FARCASTER, fid, persona, 1n)]),
      relayer,
      "StaleBinding",
    );
    const zero = "0x0000000000000000000000000000000000000000";
    await mined(a, relayer.write.bind([FARCASTER, fid, zero, 2n, attestBinding(FARCASTER, fid, zero, 2n)]));
    assert.equal(await relayer.read.personaOf([FARCASTER, fid]), zero, "revoked");
    assert.equal(await relayer.read.personaOf([BLUESKY, did]), persona, "the others stay");
    assert.equal(await relayer.read.personaOf([X, handle]), persona, "the others stay");
  });

  it("names a Solana payout recipient", async () => {
    const persona = identityAs(a.wallets.user);
    const address = a.wallets.user.account.address;
    assert.deepEqual(await persona.read.payoutOf([address]), [1, toBytes32(address)], "default: the persona on EVM");
    const solanaKey = keccak256(stringToHex("a solana public key"));
    await mined(a, persona.write.setPayout([2, solanaKey]));
    assert.deepEqual(await persona.read.payoutOf([address]), [2, solanaKey]);
    await a.connection.viem.assertions.revertWithCustomError(
      persona.write.setPayout([1, solanaKey]),
      persona,
      "InvalidPayoutRecipient",
    );
  });
});
