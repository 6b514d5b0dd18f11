// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {CreatorPayouts} from "../../src/revenue/CreatorPayouts.sol";
import {ICampaignLedger} from "../../src/revenue/interfaces/ICampaignLedger.sol";
import {ICreatorPayouts} from "../../src/revenue/interfaces/ICreatorPayouts.sol";
import {ReentrantToken} from "../mocks/Tokens.sol";
import {vm} from "../utils/Vm.sol";
import {BlacklistToken} from "./mocks/RevenueTokens.sol";
import {EpochReport, PayoutLeaf} from "../../src/libraries/RevenueCodec.sol";
import {RevenueFixture} from "./RevenueFixture.t.sol";

/// @notice A contract persona (ERC-1271): valid for signatures by its owner key.
contract WalletPersona {
    address public immutable signer;

    constructor(address signer_) {
        signer = signer_;
    }

    function isValidSignature(bytes32 digest, bytes calldata signature) external view returns (bytes4) {
        (address recovered,,) = ECDSA.tryRecover(digest, signature);
        return recovered == signer ? this.isValidSignature.selector : bytes4(0xffffffff);
    }
}

/// @notice CreatorPayouts: cumulative claims on behalf, per-slot records packed two to a word, redirected claims with
///         an EIP-712 signature, the safety cap (the creators' funds held here) against a malicious root, and
///         misbehaving tokens.
contract CreatorPayoutsTest is RevenueFixture {
    uint256 internal constant ALICE_KEY = 0xA11CE;
    uint256 internal constant BOB_KEY = 0xB0B;
    address internal alice = vm.addr(ALICE_KEY);
    address internal bob = vm.addr(BOB_KEY);
    address internal carol = makeAddr("carol");
    bytes32 internal constant SALT_A = keccak256("salt a");
    bytes32 internal constant SALT_B = keccak256("salt b");
    bytes32 internal constant SALT_C = keccak256("salt c");

    uint64 internal id;
    uint64 internal nextEpoch;

    function setUp() public override {
        super.setUp();
        id = _campaign();
    }

    /// @notice alice's, bob's and carol's leaves (slots 0, 1, 2) paying `a`, `b`, `c` cumulatively.
    function _leaves(uint256 a, uint256 b, uint256 c) internal view returns (PayoutLeaf[3] memory l) {
        l[0] = _payout(0, alice, address(token), a, SALT_A);
        l[1] = _payout(1, bob, address(token), b, SALT_B);
        l[2] = _payout(2, carol, address(token), c, SALT_C);
    }

    /// @notice Finalizes a report whose creators' share (140 tokens) goes to CreatorPayouts and whose root holds
    ///         `l` (tree of three leaves); returns the proofs.
    function _finalTree(PayoutLeaf[3] memory l)
        internal
        returns (bytes32[] memory proofA, bytes32[] memory proofB, bytes32[] memory proofC)
    {
        bytes32[] memory leaves = new bytes32[](3);
        for (uint256 i; i < 3; ++i) {
            leaves[i] = _leaf(l[i]);
        }
        bytes32 root;
        (root, proofA) = _tree(leaves, 0);
        (, proofB) = _tree(leaves, 1);
        (, proofC) = _tree(leaves, 2);
        // 100,000 impressions at 2 tokens per mille = 200 tokens, 140 to creators
        _toEpochEnd(nextEpoch);
        EpochReport memory r = _report(C1, nextEpoch, _lines(_line(id, 100_000, 0)), root);
        (uint64 seq, bytes memory att) = _submit(r);
        _afterWindow();
        reports.finalize(seq, r, att);
        ++nextEpoch;
    }

    function _pay(uint256 a, uint256 b, uint256 c)
        internal
        returns (bytes32[] memory proofA, bytes32[] memory proofB, bytes32[] memory proofC)
    {
        return _finalTree(_leaves(a, b, c));
    }

    /// @notice A one-leaf root `l` made final (the proof is empty).
    function _finalOne(PayoutLeaf memory l, uint64 campaignId) internal {
        _toEpochEnd(nextEpoch);
        EpochReport memory r = _report(C1, nextEpoch, _lines(_line(campaignId, 100_000, 0)), _leaf(l));
        (uint64 seq, bytes memory att) = _submit(r);
        _afterWindow();
        reports.finalize(seq, r, att);
        ++nextEpoch;
    }

    function _claimToSig(uint256 key, address persona, address to, uint256 nonce, uint256 deadline)
        internal
        view
        returns (bytes memory)
    {
        bytes32 structHash = keccak256(abi.encode(payouts.CLAIM_TO_TYPEHASH(), persona, address(token), to, nonce, deadline));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", payouts.domainSeparator(), structHash));
        return _signDigest(key, digest);
    }

    // ------------------------------------------------------------------ constructor, advanceRoot, returnToLedger

    function test_constructor_zeroAddress() public {
        vm.expectRevert(ICreatorPayouts.ZeroAddress.selector);
        new CreatorPayouts(ICampaignLedger(address(0)));
    }

    function test_advanceRoot_onlyReports() public {
        vm.expectRevert(abi.encodeWithSelector(ICreatorPayouts.OnlyReports.selector, stranger));
        vm.prank(stranger);
        payouts.advanceRoot(keccak256("x"), 1);
    }

    function test_returnToLedger_onlyLedger() public {
        _pay(10e18, 20e18, 30e18);
        vm.expectRevert(abi.encodeWithSelector(ICreatorPayouts.OnlyLedger.selector, stranger));
        vm.prank(stranger);
        payouts.returnToLedger(address(token), 1);
    }

    function test_returnToLedger_sendsToTheLedger() public {
        _pay(10e18, 20e18, 30e18);
        uint256 before = token.balanceOf(address(ledger));
        vm.prank(address(ledger));
        payouts.returnToLedger(address(token), 5e18);
        assertEq(token.balanceOf(address(ledger)) - before, 5e18, "back in the ledger");
        assertEq(token.balanceOf(address(payouts)), 135e18, "left here");
    }

    function test_domainSeparator_isEip712OfThisContract() public view {
        bytes32 expected = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("maskoii CreatorPayouts"),
                keccak256("1"),
                block.chainid,
                address(payouts)
            )
        );
        assertEq(payouts.domainSeparator(), expected, "domain");
    }

    // ------------------------------------------------------------------ claim

    function test_claim_paysRecipientOnBehalf() public {
        PayoutLeaf[3] memory l = _leaves(10e18, 20e18, 30e18);
        (bytes32[] memory proofA,,) = _finalTree(l);
        assertEq(token.balanceOf(address(payouts)), 140e18, "the creators' share is held here");
        vm.expectEmit(address(payouts));
        emit ICreatorPayouts.Claimed(alice, address(token), alice, 10e18);
        vm.prank(stranger); // anyone submits; alice is paid
        assertEq(payouts.claim(l[0], proofA), 10e18, "amount");
        assertEq(token.balanceOf(alice), 10e18, "paid");
        assertEq(payouts.claimed(0), 10e18, "claimed");
        assertEq(ledger.creatorsOwed(address(token)), 140e18 - 10e18, "pool");
        assertEq(ledger.totals(address(token)).creatorsPaid, 10e18, "paid total");
    }

    function test_claim_cumulativeOverEpochsPaysDifferenceOnce() public {
        (bytes32[] memory proofA,,) = _pay(10e18, 20e18, 30e18);
        payouts.claim(_leaves(10e18, 20e18, 30e18)[0], proofA);
        // two more epochs; alice claims both at once
        _pay(15e18, 40e18, 60e18);
        PayoutLeaf[3] memory l = _leaves(35e18, 60e18, 90e18);
        (proofA,,) = _finalTree(l);
        assertEq(payouts.claim(l[0], proofA), 25e18, "difference");
        assertEq(token.balanceOf(alice), 35e18, "total");
        vm.expectRevert(abi.encodeWithSelector(ICreatorPayouts.NothingToClaim.selector, 0, 35e18, 35e18));
        payouts.claim(l[0], proofA);
    }

    function test_claim_slotsSharingAWordAreIndependent() public {
        // slots 0 and 1 (alice, bob) share one storage word; slot 2 (carol) starts the next
        PayoutLeaf[3] memory l = _leaves(type(uint128).max - 1, 20e18, 30e18);
        l[0].cumulative = 10e18;
        (bytes32[] memory proofA, bytes32[] memory proofB, bytes32[] memory proofC) = _finalTree(l);
        payouts.claim(l[1], proofB);
        payouts.claim(l[0], proofA);
        payouts.claim(l[2], proofC);
        assertEq(payouts.claimed(0), 10e18, "slot 0");
        assertEq(payouts.claimed(1), 20e18, "slot 1");
        assertEq(payouts.claimed(2), 30e18, "slot 2");
        assertEq(payouts.claimed(3), 0, "slot 3");
        assertEq(token.balanceOf(alice) + token.balanceOf(bob) + token.balanceOf(carol), 60e18, "paid");
        // raising slot 1 keeps slot 0 as it was
        l = _leaves(10e18, 50e18, 30e18);
        (, proofB,) = _finalTree(l);
        assertEq(payouts.claim(l[1], proofB), 30e18, "bob's difference");
        assertEq(payouts.claimed(0), 10e18, "slot 0 unchanged");
        assertEq(payouts.claimed(1), 50e18, "slot 1 raised");
    }

    function test_claim_paysTheLeafsRecipient() public {
        PayoutLeaf[3] memory l = _leaves(10e18, 20e18, 30e18);
        l[0].recipient = carol; // alice named carol as her payout recipient when the report was built
        (bytes32[] memory proofA,,) = _finalTree(l);
        vm.prank(stranger);
        payouts.claim(l[0], proofA);
        assertEq(token.balanceOf(carol), 10e18, "paid to the recipient the leaf names");
        assertEq(token.balanceOf(alice), 0, "not to the persona");
    }

    function test_claim_invalidProofOtherRecipient() public {
        PayoutLeaf[3] memory l = _leaves(10e18, 20e18, 30e18);
        (bytes32[] memory proofA,,) = _finalTree(l);
        l[0].recipient = stranger; // nobody can swap the recipient the quorum signed
        vm.expectRevert(ICreatorPayouts.InvalidPayoutProof.selector);
        payouts.claim(l[0], proofA);
    }

    function test_claim_invalidProofWrongAmount() public {
        PayoutLeaf[3] memory l = _leaves(10e18, 20e18, 30e18);
        (bytes32[] memory proofA,,) = _finalTree(l);
        l[0].cumulative = 11e18;
        vm.expectRevert(ICreatorPayouts.InvalidPayoutProof.selector);
        payouts.claim(l[0], proofA);
    }

    function test_claim_invalidProofWrongSalt() public {
        PayoutLeaf[3] memory l = _leaves(10e18, 20e18, 30e18);
        (bytes32[] memory proofA,,) = _finalTree(l);
        l[0].salt = SALT_B;
        vm.expectRevert(ICreatorPayouts.InvalidPayoutProof.selector);
        payouts.claim(l[0], proofA);
    }

    function test_claim_invalidProofOtherSlot() public {
        PayoutLeaf[3] memory l = _leaves(10e18, 20e18, 30e18);
        (bytes32[] memory proofA,,) = _finalTree(l);
        l[0].slot = 1; // bob's slot: a leaf cannot be claimed against another slot's record
        vm.expectRevert(ICreatorPayouts.InvalidPayoutProof.selector);
        payouts.claim(l[0], proofA);
    }

    function test_claim_invalidProofOtherPersona() public {
        PayoutLeaf[3] memory l = _leaves(10e18, 20e18, 30e18);
        (bytes32[] memory proofA,,) = _finalTree(l);
        l[0].account = bob;
        vm.expectRevert(ICreatorPayouts.InvalidPayoutProof.selector);
        payouts.claim(l[0], proofA);
    }

    function test_claim_dirtyAddressWordRefused() public {
        PayoutLeaf[3] memory l = _leaves(10e18, 20e18, 30e18);
        (bytes32[] memory proofA,,) = _finalTree(l);
        bytes memory data = abi.encodeCall(CreatorPayouts.claim, (l[0], proofA));
        data[4 + 32] = 0x01; // a high byte of the account word
        (bool ok,) = address(payouts).call(data);
        assertFalse(ok, "a dirty address word never claims");
        assertEq(payouts.claimed(0), 0, "nothing recorded");
    }

    function test_claim_cumulativeTooLarge() public {
        PayoutLeaf memory l = _payout(0, alice, address(token), uint256(type(uint128).max) + 1, SALT_A);
        _finalOne(l, id);
        vm.expectRevert(
            abi.encodeWithSelector(ICreatorPayouts.CumulativeTooLarge.selector, uint256(type(uint128).max) + 1)
        );
        payouts.claim(l, new bytes32[](0));
    }

    function test_claim_nothingBeforeFinal() public {
        PayoutLeaf memory l = _payout(0, alice, address(token), 10e18, SALT_A);
        _toEpochEnd(0);
        EpochReport memory r = _report(C1, 0, _lines(_line(id, 100_000, 0)), _leaf(l)); // a one-leaf root
        _submit(r);
        vm.expectRevert(ICreatorPayouts.InvalidPayoutProof.selector);
        payouts.claim(l, new bytes32[](0));
    }

    function test_claim_capHoldsAgainstMaliciousRoot() public {
        // the root says alice is owed 1,000 tokens; final reports gave creators 140
        PayoutLeaf[3] memory l = _leaves(1_000e18, 0, 0);
        (bytes32[] memory proofA,,) = _finalTree(l);
        vm.expectRevert(
            abi.encodeWithSelector(ICreatorPayouts.PayoutCapExceeded.selector, address(token), 1_000e18, 140e18)
        );
        payouts.claim(l[0], proofA);
        assertEq(payouts.claimed(0), 0, "nothing recorded");
    }

    function test_claim_capCountsEveryClaimUnderTheRoot() public {
        // a root promising 100 + 100 over 140: the first claim is paid, the second stops at what is left
        PayoutLeaf[3] memory l = _leaves(100e18, 100e18, 0);
        (bytes32[] memory proofA, bytes32[] memory proofB,) = _finalTree(l);
        payouts.claim(l[0], proofA);
        vm.expectRevert(
            abi.encodeWithSelector(ICreatorPayouts.PayoutCapExceeded.selector, address(token), 100e18, 40e18)
        );
        payouts.claim(l[1], proofB);
        assertEq(ledger.totals(address(token)).creatorsPaid, 100e18, "paid at most the final creators' shares");
    }

    function test_claim_solanaPartIsNotPayableOnEvm() public {
        // a report whose whole creators' share is owed on Solana: nothing is payable on EVM
        PayoutLeaf memory l = _payout(0, alice, address(token), 1, SALT_A);
        _toEpochEnd(0);
        EpochReport memory r = _report(C1, 0, _lines(_line(id, 100_000, 0)), _leaf(l));
        r.lines[0].solanaCreators = 140e18;
        r.solana = _solana(address(token), keccak256("solana claims root"), 1);
        (uint64 seq, bytes memory att) = _submit(r);
        _afterWindow();
        reports.finalize(seq, r, att);
        assertEq(ledger.totals(address(token)).solanaPending, 140e18, "solana bucket");
        assertEq(token.balanceOf(address(payouts)), 0, "nothing moved to the EVM payouts");
        vm.expectRevert(abi.encodeWithSelector(ICreatorPayouts.PayoutCapExceeded.selector, address(token), 1, 0));
        payouts.claim(l, new bytes32[](0));
    }

    function test_claim_blacklistedRecipientFailsOnlyItself() public {
        BlacklistToken blk = new BlacklistToken();
        blk.mint(advertiser, 10_000e6);
        vm.prank(advertiser);
        blk.approve(address(ledger), 10_000e6);
        ICampaignLedger.CampaignParams memory p = _params(address(blk), _communities(C1), 10_000e6, 1_000e6);
        p.cpm = 2e6;
        uint64 bid = _create(p);
        PayoutLeaf memory la = _payout(0, alice, address(blk), 10e6, SALT_A);
        PayoutLeaf memory lb = _payout(1, bob, address(blk), 20e6, SALT_B);
        bytes32[] memory leaves = new bytes32[](2);
        leaves[0] = _leaf(la);
        leaves[1] = _leaf(lb);
        (bytes32 root, bytes32[] memory proofA) = _tree(leaves, 0);
        (, bytes32[] memory proofB) = _tree(leaves, 1);
        _toEpochEnd(0);
        EpochReport memory r = _report(C1, 0, _lines(_line(bid, 100_000, 0)), root);
        (uint64 seq, bytes memory att) = _submit(r);
        _afterWindow();
        reports.finalize(seq, r, att);
        blk.setBlacklisted(alice, true);
        vm.expectRevert(abi.encodeWithSelector(BlacklistToken.Blacklisted.selector, alice));
        payouts.claim(la, proofA);
        assertEq(payouts.claimed(0), 0, "not recorded");
        payouts.claim(lb, proofB);
        assertEq(blk.balanceOf(bob), 20e6, "bob paid");
    }

    function test_claim_reentrantTokenCannotPayTwice() public {
        ReentrantToken ree = new ReentrantToken();
        ree.mint(advertiser, 10_000e18);
        vm.prank(advertiser);
        ree.approve(address(ledger), 10_000e18);
        uint64 rid = _create(_params(address(ree), _communities(C1), 10_000e18, 1_000e18));
        PayoutLeaf memory l = _payout(0, alice, address(ree), 10e18, SALT_A);
        _finalOne(l, rid);
        ree.arm(address(payouts), abi.encodeCall(CreatorPayouts.claim, (l, new bytes32[](0))));
        vm.expectRevert(abi.encodeWithSelector(ICreatorPayouts.NothingToClaim.selector, 0, 10e18, 10e18));
        payouts.claim(l, new bytes32[](0));
        assertEq(ree.balanceOf(alice), 0, "nothing paid");
    }

    // ------------------------------------------------------------------ claimTo

    function test_claimTo_redirectsWithSignature() public {
        PayoutLeaf[3] memory l = _leaves(10e18, 20e18, 30e18);
        (bytes32[] memory proofA,,) = _finalTree(l);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _claimToSig(ALICE_KEY, alice, carol, 0, deadline);
        vm.expectEmit(address(payouts));
        emit ICreatorPayouts.Claimed(alice, address(token), carol, 10e18);
        vm.prank(stranger);
        payouts.claimTo(l[0], proofA, carol, deadline, sig);
        assertEq(token.balanceOf(carol), 10e18, "redirected");
        assertEq(token.balanceOf(alice), 0, "not the leaf's recipient");
        assertEq(payouts.nonces(alice), 1, "nonce used");
    }

    function test_claimTo_contractPersonaErc1271() public {
        WalletPersona wallet = new WalletPersona(bob);
        address persona = address(wallet);
        PayoutLeaf memory l = _payout(0, persona, address(token), 7e18, SALT_C);
        _finalOne(l, id);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _claimToSig(BOB_KEY, persona, carol, 0, deadline);
        payouts.claimTo(l, new bytes32[](0), carol, deadline, sig);
        assertEq(token.balanceOf(carol), 7e18, "paid on the wallet's ERC-1271 approval");
    }

    function test_claimTo_replayRefused() public {
        PayoutLeaf[3] memory l = _leaves(10e18, 20e18, 30e18);
        (bytes32[] memory proofA,,) = _finalTree(l);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _claimToSig(ALICE_KEY, alice, carol, 0, deadline);
        payouts.claimTo(l[0], proofA, carol, deadline, sig);
        l = _leaves(20e18, 20e18, 30e18);
        (proofA,,) = _finalTree(l);
        vm.expectRevert(ICreatorPayouts.InvalidSignature.selector);
        payouts.claimTo(l[0], proofA, carol, deadline, sig);
    }

    function test_claimTo_wrongSigner() public {
        PayoutLeaf[3] memory l = _leaves(10e18, 20e18, 30e18);
        (bytes32[] memory proofA,,) = _finalTree(l);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _claimToSig(BOB_KEY, alice, bob, 0, deadline);
        vm.expectRevert(ICreatorPayouts.InvalidSignature.selector);
        payouts.claimTo(l[0], proofA, bob, deadline, sig);
    }

    function test_claimTo_otherDestinationThanSigned() public {
        PayoutLeaf[3] memory l = _leaves(10e18, 20e18, 30e18);
        (bytes32[] memory proofA,,) = _finalTree(l);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _claimToSig(ALICE_KEY, alice, carol, 0, deadline);
        vm.expectRevert(ICreatorPayouts.InvalidSignature.selector);
        payouts.claimTo(l[0], proofA, stranger, deadline, sig);
    }

    function test_claimTo_expired() public {
        PayoutLeaf[3] memory l = _leaves(10e18, 20e18, 30e18);
        (bytes32[] memory proofA,,) = _finalTree(l);
        uint256 deadline = block.timestamp - 1;
        bytes memory sig = _claimToSig(ALICE_KEY, alice, carol, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(ICreatorPayouts.SignatureExpired.selector, deadline));
        payouts.claimTo(l[0], proofA, carol, deadline, sig);
    }

    function test_claimTo_zeroAddress() public {
        PayoutLeaf[3] memory l = _leaves(10e18, 20e18, 30e18);
        (bytes32[] memory proofA,,) = _finalTree(l);
        vm.expectRevert(ICreatorPayouts.ZeroAddress.selector);
        payouts.claimTo(l[0], proofA, address(0), block.timestamp, "");
    }

    function test_claimTo_invalidProof() public {
        PayoutLeaf[3] memory l = _leaves(10e18, 20e18, 30e18);
        (bytes32[] memory proofA,,) = _finalTree(l);
        l[0].cumulative = 11e18;
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _claimToSig(ALICE_KEY, alice, carol, 0, deadline);
        vm.expectRevert(ICreatorPayouts.InvalidPayoutProof.selector);
        payouts.claimTo(l[0], proofA, carol, deadline, sig);
    }
}
