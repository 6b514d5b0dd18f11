// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {CreatorPayouts} from "../../src/revenue/CreatorPayouts.sol";
import {ICampaignLedger} from "../../src/revenue/interfaces/ICampaignLedger.sol";
import {ICreatorPayouts} from "../../src/revenue/interfaces/ICreatorPayouts.sol";
import {ReentrantToken} from "../mocks/Tokens.sol";
import {vm} from "../utils/Vm.sol";
import {BlacklistToken} from "./mocks/RevenueTokens.sol";
import {EpochReport} from "../../src/libraries/RevenueCodec.sol";
import {IIdentityRegistry} from "../../src/revenue/interfaces/IIdentityRegistry.sol";
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

/// @notice CreatorPayouts: cumulative claims on behalf, redirected claims with an EIP-712 signature, the Solana
///         refusal, the ledger's safety cap against a malicious root, and misbehaving tokens.
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

    /// @notice Finalizes a report whose creators' share is at least the owed amounts and whose root pays alice, bob
    ///         and carol `a`, `b`, `c` cumulatively (tree of three leaves); returns the proofs.
    function _pay(uint256 a, uint256 b, uint256 c)
        internal
        returns (bytes32[] memory proofA, bytes32[] memory proofB, bytes32[] memory proofC)
    {
        bytes32[] memory leaves = new bytes32[](3);
        leaves[0] = _leaf(alice, address(token), a, SALT_A);
        leaves[1] = _leaf(bob, address(token), b, SALT_B);
        leaves[2] = _leaf(carol, address(token), c, SALT_C);
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

    function _claimToSig(uint256 key, address persona, address to, uint256 nonce, uint256 deadline)
        internal
        view
        returns (bytes memory)
    {
        bytes32 structHash = keccak256(abi.encode(payouts.CLAIM_TO_TYPEHASH(), persona, address(token), to, nonce, deadline));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", payouts.domainSeparator(), structHash));
        return _signDigest(key, digest);
    }

    // ------------------------------------------------------------------ constructor, advanceRoot

    function test_constructor_zeroAddress() public {
        vm.expectRevert(ICreatorPayouts.ZeroAddress.selector);
        new CreatorPayouts(ICampaignLedger(address(0)), IIdentityRegistry(address(identity)));
    }

    function test_advanceRoot_onlyReports() public {
        vm.expectRevert(abi.encodeWithSelector(ICreatorPayouts.OnlyReports.selector, stranger));
        vm.prank(stranger);
        payouts.advanceRoot(keccak256("x"), 1);
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
        (bytes32[] memory proofA,,) = _pay(10e18, 20e18, 30e18);
        vm.expectEmit(address(payouts));
        emit ICreatorPayouts.Claimed(alice, address(token), alice, 10e18, 10e18);
        vm.prank(stranger); // anyone submits; alice is paid
        assertEq(payouts.claim(alice, address(token), 10e18, SALT_A, proofA), 10e18, "amount");
        assertEq(token.balanceOf(alice), 10e18, "paid");
        assertEq(payouts.claimed(alice, address(token)), 10e18, "claimed");
        assertEq(ledger.creatorsOwed(address(token)), 140e18 - 10e18, "pool");
        assertEq(ledger.totals(address(token)).creatorsPaid, 10e18, "paid total");
    }

    function test_claim_cumulativeOverEpochsPaysDifferenceOnce() public {
        (bytes32[] memory proofA,,) = _pay(10e18, 20e18, 30e18);
        payouts.claim(alice, address(token), 10e18, SALT_A, proofA);
        // two more epochs; alice claims both at once
        _pay(15e18, 40e18, 60e18);
        (proofA,,) = _pay(35e18, 60e18, 90e18);
        assertEq(payouts.claim(alice, address(token), 35e18, SALT_A, proofA), 25e18, "difference");
        assertEq(token.balanceOf(alice), 35e18, "total");
        vm.expectRevert(
            abi.encodeWithSelector(ICreatorPayouts.NothingToClaim.selector, alice, address(token), 35e18, 35e18)
        );
        payouts.claim(alice, address(token), 35e18, SALT_A, proofA);
    }

    function test_claim_toPayoutRecipient() public {
        (bytes32[] memory proofA,,) = _pay(10e18, 20e18, 30e18);
        vm.prank(alice);
        identity.setPayout(1, _toBytes32(carol));
        payouts.claim(alice, address(token), 10e18, SALT_A, proofA);
        assertEq(token.balanceOf(carol), 10e18, "paid to the recipient the persona named");
        assertEq(token.balanceOf(alice), 0, "not to the persona");
    }

    function test_claim_payoutOnOtherChain() public {
        (bytes32[] memory proofA,,) = _pay(10e18, 20e18, 30e18);
        bytes32 solanaKey = keccak256("solana key");
        vm.prank(alice);
        identity.setPayout(2, solanaKey);
        vm.expectRevert(abi.encodeWithSelector(ICreatorPayouts.PayoutOnOtherChain.selector, alice, uint8(2), solanaKey));
        payouts.claim(alice, address(token), 10e18, SALT_A, proofA);
    }

    function test_claim_invalidProofWrongAmount() public {
        (bytes32[] memory proofA,,) = _pay(10e18, 20e18, 30e18);
        vm.expectRevert(ICreatorPayouts.InvalidPayoutProof.selector);
        payouts.claim(alice, address(token), 11e18, SALT_A, proofA);
    }

    function test_claim_invalidProofWrongSalt() public {
        (bytes32[] memory proofA,,) = _pay(10e18, 20e18, 30e18);
        vm.expectRevert(ICreatorPayouts.InvalidPayoutProof.selector);
        payouts.claim(alice, address(token), 10e18, SALT_B, proofA);
    }

    function test_claim_invalidProofOtherPersona() public {
        (bytes32[] memory proofA,,) = _pay(10e18, 20e18, 30e18);
        vm.expectRevert(ICreatorPayouts.InvalidPayoutProof.selector);
        payouts.claim(bob, address(token), 10e18, SALT_A, proofA);
    }

    function test_claim_nothingBeforeFinal() public {
        bytes32 leaf = _leaf(alice, address(token), 10e18, SALT_A);
        _toEpochEnd(0);
        EpochReport memory r = _report(C1, 0, _lines(_line(id, 100_000, 0)), leaf); // a one-leaf root
        _submit(r);
        vm.expectRevert(ICreatorPayouts.InvalidPayoutProof.selector);
        payouts.claim(alice, address(token), 10e18, SALT_A, new bytes32[](0));
    }

    function test_claim_capHoldsAgainstMaliciousRoot() public {
        // the root says alice is owed 1,000 tokens; final reports owe creators 140
        (bytes32[] memory proofA,,) = _pay(1_000e18, 0, 0);
        vm.expectRevert(
            abi.encodeWithSelector(ICampaignLedger.PayoutCapExceeded.selector, address(token), 1_000e18, 140e18)
        );
        payouts.claim(alice, address(token), 1_000e18, SALT_A, proofA);
        assertEq(payouts.claimed(alice, address(token)), 0, "nothing recorded");
    }

    function test_claim_solanaPartIsNotPayableOnEvm() public {
        // a report whose whole creators' share is owed on Solana: nothing is payable on EVM
        bytes32 leaf = _leaf(alice, address(token), 1, SALT_A);
        _toEpochEnd(0);
        EpochReport memory r = _report(C1, 0, _lines(_line(id, 100_000, 0)), leaf);
        r.lines[0].solanaCreators = 140e18;
        r.solana = _solana(address(token), keccak256("solana claims root"), 1);
        (uint64 seq, bytes memory att) = _submit(r);
        _afterWindow();
        reports.finalize(seq, r, att);
        assertEq(ledger.totals(address(token)).solanaPending, 140e18, "solana bucket");
        vm.expectRevert(abi.encodeWithSelector(ICampaignLedger.PayoutCapExceeded.selector, address(token), 1, 0));
        payouts.claim(alice, address(token), 1, SALT_A, new bytes32[](0));
    }

    function test_claim_blacklistedRecipientFailsOnlyItself() public {
        BlacklistToken blk = new BlacklistToken();
        blk.mint(advertiser, 10_000e6);
        vm.prank(advertiser);
        blk.approve(address(ledger), 10_000e6);
        ICampaignLedger.CampaignParams memory p = _params(address(blk), _communities(C1), 10_000e6, 1_000e6);
        p.cpm = 2e6;
        uint64 bid = _create(p);
        bytes32[] memory leaves = new bytes32[](2);
        leaves[0] = _leaf(alice, address(blk), 10e6, SALT_A);
        leaves[1] = _leaf(bob, address(blk), 20e6, SALT_B);
        (bytes32 root, bytes32[] memory proofA) = _tree(leaves, 0);
        (, bytes32[] memory proofB) = _tree(leaves, 1);
        _toEpochEnd(0);
        EpochReport memory r = _report(C1, 0, _lines(_line(bid, 100_000, 0)), root);
        (uint64 seq, bytes memory att) = _submit(r);
        _afterWindow();
        reports.finalize(seq, r, att);
        blk.setBlacklisted(alice, true);
        vm.expectRevert(abi.encodeWithSelector(BlacklistToken.Blacklisted.selector, alice));
        payouts.claim(alice, address(blk), 10e6, SALT_A, proofA);
        assertEq(payouts.claimed(alice, address(blk)), 0, "not recorded");
        payouts.claim(bob, address(blk), 20e6, SALT_B, proofB);
        assertEq(blk.balanceOf(bob), 20e6, "bob paid");
    }

    function test_claim_reentrantTokenCannotPayTwice() public {
        ReentrantToken ree = new ReentrantToken();
        ree.mint(advertiser, 10_000e18);
        vm.prank(advertiser);
        ree.approve(address(ledger), 10_000e18);
        uint64 rid = _create(_params(address(ree), _communities(C1), 10_000e18, 1_000e18));
        bytes32 leaf = _leaf(alice, address(ree), 10e18, SALT_A);
        _toEpochEnd(0);
        EpochReport memory r = _report(C1, 0, _lines(_line(rid, 100_000, 0)), leaf);
        (uint64 seq, bytes memory att) = _submit(r);
        _afterWindow();
        reports.finalize(seq, r, att);
        ree.arm(
            address(payouts),
            abi.encodeCall(CreatorPayouts.claim, (alice, address(ree), 10e18, SALT_A, new bytes32[](0)))
        );
        vm.expectRevert(
            abi.encodeWithSelector(ICreatorPayouts.NothingToClaim.selector, alice, address(ree), 10e18, 10e18)
        );
        payouts.claim(alice, address(ree), 10e18, SALT_A, new bytes32[](0));
        assertEq(ree.balanceOf(alice), 0, "nothing paid");
    }

    // ------------------------------------------------------------------ claimTo

    function test_claimTo_redirectsWithSignature() public {
        (bytes32[] memory proofA,,) = _pay(10e18, 20e18, 30e18);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _claimToSig(ALICE_KEY, alice, carol, 0, deadline);
        vm.expectEmit(address(payouts));
        emit ICreatorPayouts.Claimed(alice, address(token), carol, 10e18, 10e18);
        vm.prank(stranger);
        payouts.claimTo(alice, address(token), 10e18, SALT_A, proofA, carol, deadline, sig);
        assertEq(token.balanceOf(carol), 10e18, "redirected");
        assertEq(payouts.nonces(alice), 1, "nonce used");
    }

    function test_claimTo_contractPersonaErc1271() public {
        WalletPersona wallet = new WalletPersona(bob);
        address persona = address(wallet);
        bytes32 leaf = _leaf(persona, address(token), 7e18, SALT_C);
        _toEpochEnd(0);
        EpochReport memory r = _report(C1, 0, _lines(_line(id, 100_000, 0)), leaf);
        (uint64 seq, bytes memory att) = _submit(r);
        _afterWindow();
        reports.finalize(seq, r, att);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _claimToSig(BOB_KEY, persona, carol, 0, deadline);
        payouts.claimTo(persona, address(token), 7e18, SALT_C, new bytes32[](0), carol, deadline, sig);
        assertEq(token.balanceOf(carol), 7e18, "paid on the wallet's ERC-1271 approval");
    }

    function test_claimTo_replayRefused() public {
        (bytes32[] memory proofA,,) = _pay(10e18, 20e18, 30e18);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _claimToSig(ALICE_KEY, alice, carol, 0, deadline);
        payouts.claimTo(alice, address(token), 10e18, SALT_A, proofA, carol, deadline, sig);
        (proofA,,) = _pay(20e18, 20e18, 30e18);
        vm.expectRevert(ICreatorPayouts.InvalidSignature.selector);
        payouts.claimTo(alice, address(token), 20e18, SALT_A, proofA, carol, deadline, sig);
    }

    function test_claimTo_wrongSigner() public {
        (bytes32[] memory proofA,,) = _pay(10e18, 20e18, 30e18);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _claimToSig(BOB_KEY, alice, bob, 0, deadline);
        vm.expectRevert(ICreatorPayouts.InvalidSignature.selector);
        payouts.claimTo(alice, address(token), 10e18, SALT_A, proofA, bob, deadline, sig);
    }

    function test_claimTo_otherDestinationThanSigned() public {
        (bytes32[] memory proofA,,) = _pay(10e18, 20e18, 30e18);
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _claimToSig(ALICE_KEY, alice, carol, 0, deadline);
        vm.expectRevert(ICreatorPayouts.InvalidSignature.selector);
        payouts.claimTo(alice, address(token), 10e18, SALT_A, proofA, stranger, deadline, sig);
    }

    function test_claimTo_expired() public {
        (bytes32[] memory proofA,,) = _pay(10e18, 20e18, 30e18);
        uint256 deadline = block.timestamp - 1;
        bytes memory sig = _claimToSig(ALICE_KEY, alice, carol, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(ICreatorPayouts.SignatureExpired.selector, deadline));
        payouts.claimTo(alice, address(token), 10e18, SALT_A, proofA, carol, deadline, sig);
    }

    function test_claimTo_zeroAddress() public {
        (bytes32[] memory proofA,,) = _pay(10e18, 20e18, 30e18);
        vm.expectRevert(ICreatorPayouts.ZeroAddress.selector);
        payouts.claimTo(alice, address(token), 10e18, SALT_A, proofA, address(0), block.timestamp, "");
    }

    function test_claimTo_payoutOnOtherChain() public {
        (bytes32[] memory proofA,,) = _pay(10e18, 20e18, 30e18);
        vm.prank(alice);
        identity.setPayout(2, keccak256("sol"));
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _claimToSig(ALICE_KEY, alice, carol, 0, deadline);
        vm.expectRevert(
            abi.encodeWithSelector(ICreatorPayouts.PayoutOnOtherChain.selector, alice, uint8(2), keccak256("sol"))
        );
        payouts.claimTo(alice, address(token), 10e18, SALT_A, proofA, carol, deadline, sig);
    }
}
