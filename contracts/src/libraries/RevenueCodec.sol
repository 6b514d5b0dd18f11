// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice One campaign's aggregate for one (community, epoch) in an epoch report (docs/protocol.md §11.3).
/// @param campaignId The CampaignLedger campaign id; strictly ascending within a report.
/// @param impressions Impressions counted in the community during the epoch.
/// @param engagements Engagements counted in the community during the epoch.
/// @param spend impressions * cpm / 1000 + engagements * cpe (floor), in the campaign token's units.
/// @param solanaCreators The part of the line's creators' share owed to personas paid on Solana.
struct CampaignLine {
    uint64 campaignId;
    uint64 impressions;
    uint64 engagements;
    uint128 spend;
    uint128 solanaCreators;
}

/// @notice One leaf of the EVM creators' payout tree, as claim calldata (docs/protocol.md §11.5). Its ABI encoding
///         (six static words, 192 bytes) is the leaf preimage (`RevenueCodec.payoutLeaf`).
/// @param slot The (account, token) pair's stable claim slot: the tree builder gives each pair the next slot the
///        first time it appears and keeps it in every later root; claims are recorded per slot.
/// @param account The persona the amount is owed to.
/// @param token The ERC-20.
/// @param recipient Where the persona's payout goes (its IdentityRegistry `payoutOf` recipient when the report was
///        built; the attester quorum signs it into the root).
/// @param cumulative Everything ever owed to (account, token) under the root (below 2^128 to be claimable).
/// @param salt The leaf's random salt (hides the amount from holders of sibling hashes).
struct PayoutLeaf {
    uint256 slot;
    address account;
    address token;
    address recipient;
    uint256 cumulative;
    bytes32 salt;
}

/// @notice An amount of one ERC-20 token (docs/protocol.md §11.3).
struct TokenAmount {
    address token;
    uint128 amount;
}

/// @notice The Solana payout of one token committed by a report (docs/protocol.md §11.3): after the report is final,
///         EpochReports.sendSolanaPayout sends the sum of the report's lines' `solanaCreators` in `token` to the
///         Solana program as one bridge distribution (§8, kind 2) under `root`.
/// @param token The ERC-20 (the campaigns' token); one entry per token with a non-zero Solana part, no other.
/// @param root Root of the §8 claims tree over (uint32 index, bytes32 claimant, uint64 amount, bytes32 salt) leaves,
///        amounts in the token route's shared decimals, summing to at most the total sent.
/// @param leafCount Leaves under `root`, 1..DistributionMessage.MAX_LEAF_COUNT.
/// @dev Never stored (calldata, hashed): its field order follows the format, not slot packing.
// solhint-disable-next-line gas-struct-packing
struct SolanaDistribution {
    address token;
    bytes32 root;
    uint32 leafCount;
}

/// @notice What the attester quorum signs for one (community, epoch) (docs/protocol.md §11.3). The field order is
///         part of the format: `reportHash` is keccak256 of the ABI encoding of this struct.
/// @param communityId The CommunityRegistry community id.
/// @param epoch The epoch reported (must be before the registry's current epoch).
/// @param engagedAccounts Distinct engaged accounts; must be >= the community's k (k-anonymity).
/// @param lines 1..32 campaign lines, campaignId strictly ascending.
/// @param prevPayoutRoot The EVM cumulative payout root this report builds on (bytes32(0) at genesis).
/// @param payoutRoot The EVM cumulative payout root after this report (§11.5).
/// @param payoutLeafCount The number of leaves in payoutRoot.
/// @param expired Unclaimed creator amounts of this community past its expiry, back to its treasury.
/// @param solana The Solana payouts, one per token whose lines owe Solana creators anything (point 7).
/// @dev Never stored: it travels in calldata and is hashed, so its field order follows the format, not slot packing.
// solhint-disable-next-line gas-struct-packing
struct EpochReport {
    uint64 communityId;
    uint64 epoch;
    uint32 engagedAccounts;
    CampaignLine[] lines;
    bytes32 prevPayoutRoot;
    bytes32 payoutRoot;
    uint32 payoutLeafCount;
    TokenAmount[] expired;
    SolanaDistribution[] solana;
}

/// @title RevenueCodec
/// @notice The one Solidity definition of the revenue formats (docs/protocol.md §11): the values attesters sign for
///         identity bindings, epoch reports and report resolutions (under AttestationLib's IDENTITY_BINDING_TYPEHASH,
///         EPOCH_REPORT_TYPEHASH and REPORT_RESOLUTION_TYPEHASH), and the creators' payout leaf. Byte for byte
///         sdk/src/revenue (vectors: test/vectors/revenue.json).
library RevenueCodec {
    /// @notice Farcaster: accountId = bytes32(uint256(fid)).
    uint8 internal constant PLATFORM_FARCASTER = 1;
    /// @notice Bluesky: accountId = keccak256(utf8 DID).
    uint8 internal constant PLATFORM_BLUESKY = 2;
    /// @notice ActivityPub (Mastodon, ...): accountId = keccak256(utf8 actor URI).
    uint8 internal constant PLATFORM_ACTIVITYPUB = 3;
    /// @notice Lens: accountId = bytes32(uint256(profileId)).
    uint8 internal constant PLATFORM_LENS = 4;
    /// @notice X: accountId = keccak256(utf8 lowercase handle, without '@').
    uint8 internal constant PLATFORM_X = 5;
    /// @notice The largest defined platform; 0 and anything above are unknown.
    uint8 internal constant MAX_PLATFORM = PLATFORM_X;

    /// @notice `platform` is 0 or above MAX_PLATFORM.
    error UnknownPlatform(uint8 platform);

    /// @notice Whether `platform` is one of the defined platforms (1..MAX_PLATFORM).
    function isPlatform(uint8 platform) internal pure returns (bool) {
        return platform != 0 && platform <= MAX_PLATFORM;
    }

    /// @notice The value of an IdentityBinding attestation:
    ///         keccak256(abi.encode(uint8 platform, bytes32 accountId, address persona, uint64 sequence)).
    ///         Reverts `UnknownPlatform` unless 1 <= platform <= MAX_PLATFORM.
    /// @param platform The platform (PLATFORM_*).
    /// @param accountId The account on that platform, as the platform's rule makes it 32 bytes.
    /// @param persona The persona the account is bound to; address(0) revokes the binding.
    /// @param sequence Must be strictly greater than the account's stored sequence (no replay).
    function bindingHash(uint8 platform, bytes32 accountId, address persona, uint64 sequence)
        internal
        pure
        returns (bytes32)
    {
        if (!isPlatform(platform)) revert UnknownPlatform(platform);
        return keccak256(abi.encode(platform, accountId, persona, sequence));
    }

    /// @notice The value of an EpochReport attestation: keccak256(abi.encode(report)), the canonical ABI encoding of
    ///         the struct as one dynamic tuple argument (leading offset word 0x20; docs/protocol.md §11.3).
    function reportHash(EpochReport calldata report) internal pure returns (bytes32) {
        return keccak256(abi.encode(report));
    }

    /// @notice `reportHash` of a report held in memory (tests and tooling; same bytes, same hash).
    function reportHashMemory(EpochReport memory report) internal pure returns (bytes32) {
        return keccak256(abi.encode(report));
    }

    /// @notice The value of a ReportResolution attestation:
    ///         keccak256(abi.encode(bytes32 reportHash, uint64 seq, bool upheld)). `seq` (EpochReports' sequence
    ///         number, never reused) makes a decision single-use: it cannot settle the same report bytes submitted
    ///         again later under another sequence number.
    /// @param report The reportHash of the disputed report.
    /// @param seq The sequence number the disputed report was submitted under.
    /// @param upheld True when the dispute was right (the report is rejected), false when the report stands.
    function resolutionHash(bytes32 report, uint64 seq, bool upheld) internal pure returns (bytes32) {
        return keccak256(abi.encode(report, seq, upheld));
    }

    /// @notice A creators' payout tree leaf: keccak256(bytes.concat(keccak256(abi.encode(uint256 slot, bytes32 account,
    ///         bytes32 token, bytes32 recipient, uint256 cumulative, bytes32 salt)))). The outer hash has a 32-byte
    ///         preimage, so a leaf never passes for a 64-byte inner node (OpenZeppelin StandardMerkleTree), and the
    ///         tree over the inner hashes is §5's batch tree.
    /// @param slot The (account, token) pair's stable claim slot (given by first appearance, kept in every root).
    /// @param account The payee as 32 bytes: an EVM persona address left-padded.
    /// @param token The token as 32 bytes: an ERC-20 address left-padded.
    /// @param recipient Where the payout goes as 32 bytes: an EVM address left-padded.
    /// @param cumulative Everything ever owed to (account, token) under this root, all epochs and campaigns.
    /// @param salt Random per (account, token), handed to the account with its proof.
    function payoutLeaf(
        uint256 slot,
        bytes32 account,
        bytes32 token,
        bytes32 recipient,
        uint256 cumulative,
        bytes32 salt
    ) internal pure returns (bytes32 leaf) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, slot)
            mstore(add(ptr, 0x20), account)
            mstore(add(ptr, 0x40), token)
            mstore(add(ptr, 0x60), recipient)
            mstore(add(ptr, 0x80), cumulative)
            mstore(add(ptr, 0xa0), salt)
            mstore(0x00, keccak256(ptr, 0xc0))
            leaf := keccak256(0x00, 0x20)
        }
    }

    /// @notice `payoutLeaf` of a leaf in calldata: its ABI encoding is the 192-byte inner preimage, copied as is. An
    ///         address word with dirty upper bits hashes differently (no proof matches) and is refused when read.
    function payoutLeaf(PayoutLeaf calldata leaf) internal pure returns (bytes32 hash) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, leaf, 0xc0)
            mstore(0x00, keccak256(ptr, 0xc0))
            hash := keccak256(0x00, 0x20)
        }
    }

    /// @notice The root a sorted-pair `proof` leads to from `leaf`: OpenZeppelin `MerkleProof.processProofCalldata`
    ///         (commutative keccak256 of each pair, smaller first), as one assembly loop over the calldata words.
    function processPayoutProof(bytes32[] calldata proof, bytes32 leaf) internal pure returns (bytes32 node) {
        assembly ("memory-safe") {
            node := leaf
            let end := add(proof.offset, shl(5, proof.length))
            for { let p := proof.offset } lt(p, end) { p := add(p, 0x20) } {
                let sibling := calldataload(p)
                let both := xor(node, sibling)
                let lo := xor(node, mul(both, lt(sibling, node))) // the smaller of the two
                mstore(0x00, lo)
                mstore(0x20, xor(both, lo))
                node := keccak256(0x00, 0x40)
            }
        }
    }

    /// @notice The bridge distribution id of a report's Solana payout of `token`: keccak256(abi.encode(reportHash,
    ///         token)) (single-use per destination, so one report pays each token on Solana once).
    function solanaDistributionId(bytes32 report, address token) internal pure returns (bytes32) {
        return keccak256(abi.encode(report, token));
    }

    /// @notice An EVM address as the 32-byte account or token of a payout leaf (left-padded).
    function toBytes32(address a) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }
}
