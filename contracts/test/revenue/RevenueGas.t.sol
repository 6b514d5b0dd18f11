// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {CreatorPayouts} from "../../src/revenue/CreatorPayouts.sol";
import {EpochReports} from "../../src/revenue/EpochReports.sol";
import {CampaignLine, EpochReport, PayoutLeaf} from "../../src/libraries/RevenueCodec.sol";
import {vm} from "../utils/Vm.sol";
import {RevenueFixture} from "./RevenueFixture.t.sol";

/// @dev Runtime code `STOP`: a call to it costs only the caller-side overhead of a warm CALL.
contract RevenueEmptyFrame {
    constructor() {
        assembly ("memory-safe") {
            mstore8(0, 0x00)
            return(0, 1)
        }
    }
}

/// @notice Gas of the benchmarked revenue paths, as a real transaction is charged minus the 21,000 base (the same
///         method as TokenBridgeGas): execution inside the called contract's frame (a low-level call with pre-encoded
///         calldata to the already-warm target, minus the caller-side overhead calibrated on a `STOP` contract) plus
///         the EIP-2028 calldata cost. Everything else happens in setUp, so the measured call runs with cold
///         accounts and storage like a real transaction. Results are emitted as `GasMeasured` events (-vvvv).
///         - report_submit: one community, 5 campaigns, a 2-of-3 attestation, steady state (the campaigns and the
///           community were reported in an earlier epoch, the payout root chain is not at genesis);
///         - claim_fresh_recipient: a persona that never claimed, paid to an address that never held the token,
///           proof of a 100,000-leaf tree (17 siblings), its claim slot in a word the other slot touched (and, as a
///           reference, the first claim of a word);
///         - claim_returning_10_epochs: a persona that claimed before claims ten more epochs at once (one proof,
///           same depth), paid to an address that holds the token.
contract RevenueGasTest is RevenueFixture {
    /// @dev Target of issue 13 (tx gas − 21,000), met.
    uint256 internal constant REPORT_SUBMIT_TARGET = 150_000;
    /// @dev Issue 13's claim targets (48,000 fresh, 35,000 returning) are NOT met, and cannot be with a 17-sibling
    ///      proof and an ERC-20 transfer (docs/benchmarks.md, "Where the claims' gas goes"): calldata ~11,000, the
    ///      payout root and the claim word (2,100 + 5,000), the token's cold account (2,600), CreatorPayouts' and the
    ///      recipient's balances (5,000 + 5,000 returning, 5,000 + 22,100 fresh), `Transfer` (1,756) already make
    ///      ~37,500 returning and ~54,600 fresh before any code or event of ours. These are regression ceilings of the
    ///      measured values (fresh: in a claim word the other slot touched, as Uniswap's anchor; first-in-word: the
    ///      word's first claim).
    uint256 internal constant CLAIM_FRESH_CEILING = 54_000;
    uint256 internal constant CLAIM_FRESH_FIRST_IN_WORD_CEILING = 71_000;
    uint256 internal constant CLAIM_RETURNING_CEILING = 41_000;
    uint256 internal constant PROOF_DEPTH = 17;

    event GasMeasured(string what, uint256 gas);

    uint64[] internal ids;
    bytes internal submitData;
    bytes internal freshClaimData;
    bytes internal returningClaimData;
    address internal fresh = makeAddr("fresh persona");
    address internal holder = makeAddr("returning persona");
    RevenueEmptyFrame internal empty;

    function setUp() public override {
        super.setUp();
        empty = new RevenueEmptyFrame();
        for (uint256 i; i < 5; ++i) {
            ids.push(_create(_params(address(token), _communities(C1, C2), 100_000e18, 10_000e18)));
        }
        // epoch 0: every campaign reported once on C1 and final
        EpochReport memory r = _report(C1, 0, _fiveLines(), keccak256("warm root"));
        _toEpochEnd(0);
        (uint64 seq, bytes memory att) = _submit(r);
        _afterWindow();
        reports.finalize(seq, r, att);

        _prepareClaims(); // epochs 2..12 on C2

        // the measured report: epoch 13 on C1 (every campaign last charged in an earlier epoch)
        _toEpochEnd(13);
        EpochReport memory next = _report(C1, 13, _fiveLines(), keccak256("next root"));
        submitData = abi.encodeCall(EpochReports.submit, (next, _attest(next)));
    }

    function _fiveLines() internal view returns (CampaignLine[] memory lines) {
        lines = new CampaignLine[](5);
        for (uint256 i; i < 5; ++i) {
            lines[i] = _line(ids[i], 123_456, 789);
        }
    }

    /// @dev A root with `leaf` at depth PROOF_DEPTH under arbitrary siblings (what a 100,000-leaf tree costs).
    function _deepRoot(bytes32 leaf, bytes32 seed) internal pure returns (bytes32 root, bytes32[] memory proof) {
        proof = new bytes32[](PROOF_DEPTH);
        root = leaf;
        for (uint256 i; i < PROOF_DEPTH; ++i) {
            proof[i] = keccak256(abi.encode(seed, i));
            root = _hashPair(root, proof[i]);
        }
    }

    /// @dev Finalizes a report on C2 for `epoch` whose payout root is `root` (the spend keeps the pool funded).
    function _finalRoot(uint64 epoch, bytes32 root) internal {
        _toEpochEnd(epoch);
        EpochReport memory r = _report(C2, epoch, _lines(_line(ids[0], 1_000_000, 0)), root);
        (uint64 seq, bytes memory att) = _submit(r);
        _afterWindow();
        reports.finalize(seq, r, att);
    }

    function _prepareClaims() internal {
        bytes32 salt = keccak256("salt");
        // the holder (slot 2) claims once (and so holds the token) at epoch 2; slot 4, the fresh persona's word
        // partner, claims at epoch 3 (a touched word, as Uniswap's anchor is measured)
        PayoutLeaf memory h = _payout(2, holder, address(token), 1e18, salt);
        (bytes32 root, bytes32[] memory proof) = _deepRoot(_leaf(h), "a");
        _finalRoot(2, root);
        payouts.claim(h, proof);
        PayoutLeaf memory n = _payout(4, makeAddr("word partner"), address(token), 1e18, salt);
        (root, proof) = _deepRoot(_leaf(n), "n");
        _finalRoot(3, root);
        payouts.claim(n, proof);
        // more epochs; the last root has the holder at 11e18 and the fresh persona at 5e18 (separate trees, one
        // measurement each: the leaves share nothing, so one root per measurement is equivalent)
        for (uint64 e = 4; e < 12; ++e) {
            _finalRoot(e, keccak256(abi.encode("epoch root", e)));
        }
        h.cumulative = 11e18;
        (bytes32 rootH, bytes32[] memory proofH) = _deepRoot(_leaf(h), "b");
        _finalRoot(12, rootH);
        returningClaimData = abi.encodeCall(CreatorPayouts.claim, (h, proofH));
        PayoutLeaf memory f = _payout(5, fresh, address(token), 5e18, salt);
        (bytes32 rootF, bytes32[] memory proofF) = _deepRoot(_leaf(f), "c");
        freshClaimData = abi.encodeCall(CreatorPayouts.claim, (f, proofF));
        PayoutLeaf memory w = _payout(9, fresh, address(token), 5e18, salt);
        (bytes32 rootW, bytes32[] memory proofW) = _deepRoot(_leaf(w), "d");
        firstInWordClaimData = abi.encodeCall(CreatorPayouts.claim, (w, proofW));
        // the fresh claims are measured under rootF and rootW, the returning one under rootH: keep rootH final and
        // advance to rootF or rootW in the fresh tests
        _freshRoot = rootF;
        _firstInWordRoot = rootW;
    }

    bytes32 internal _freshRoot;
    bytes32 internal _firstInWordRoot;
    bytes internal firstInWordClaimData;

    function test_submit_gasFiveCampaignsTwoOfThree() public {
        uint256 g = _measure(address(reports), submitData);
        emit GasMeasured("report_submit (1 community, 5 campaigns, 2-of-3): tx gas - 21000", g);
        assertEq(reports.tip(), reports.nextSeq() - 1, "submitted");
        assertTrue(reports.isReported(C1, 13), "reported");
        assertLe(g, REPORT_SUBMIT_TARGET, "report_submit target");
    }

    function test_claim_gasReturning10Epochs() public {
        uint256 g = _measure(address(payouts), returningClaimData);
        emit GasMeasured("claim_returning_10_epochs: tx gas - 21000", g);
        assertEq(token.balanceOf(holder), 11e18, "paid all ten epochs at once");
        assertLe(g, CLAIM_RETURNING_CEILING, "claim_returning_10_epochs regression ceiling");
    }

    function test_claim_gasFreshRecipient() public {
        vm.prank(address(reports));
        payouts.advanceRoot(_freshRoot, 100_000);
        uint256 g = _measure(address(payouts), freshClaimData);
        emit GasMeasured("claim_fresh_recipient (touched word): tx gas - 21000", g);
        assertEq(token.balanceOf(fresh), 5e18, "paid");
        assertLe(g, CLAIM_FRESH_CEILING, "claim_fresh_recipient regression ceiling");
    }

    function test_claim_gasFreshRecipientFirstInWord() public {
        vm.prank(address(reports));
        payouts.advanceRoot(_firstInWordRoot, 100_000);
        uint256 g = _measure(address(payouts), firstInWordClaimData);
        emit GasMeasured("claim_fresh_recipient (first claim of its word): tx gas - 21000", g);
        assertEq(token.balanceOf(fresh), 5e18, "paid");
        assertLe(g, CLAIM_FRESH_FIRST_IN_WORD_CEILING, "first-in-word regression ceiling");
    }

    /// @dev tx gas − 21,000 of calling `target` with `data` (see the contract notes).
    function _measure(address target, bytes memory data) internal returns (uint256) {
        address e = address(empty);
        uint256 start = gasleft();
        (bool ok,) = e.call(data);
        uint256 overhead = start - gasleft();
        assertTrue(ok, "empty call");
        start = gasleft();
        bool success;
        (success,) = target.call(data);
        uint256 used = start - gasleft();
        assertTrue(success, "measured call");
        return used - overhead + _calldataGas(data);
    }

    function _calldataGas(bytes memory data) internal pure returns (uint256 g) {
        for (uint256 i; i < data.length; ++i) {
            g += data[i] == 0 ? 4 : 16;
        }
    }
}
