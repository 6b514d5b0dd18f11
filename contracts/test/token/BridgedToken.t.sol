// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {BridgedToken} from "../../src/token/BridgedToken.sol";
import {Test} from "../utils/Test.sol";
import {vm} from "../utils/Vm.sol";
import {IBridgedToken} from "../../src/token/interfaces/IBridgedToken.sol";

contract BridgedTokenTest is Test {
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    address internal bridge = makeAddr("bridge");
    address internal spender = makeAddr("spender");
    uint256 internal holderKey = uint256(keccak256("holder"));
    address internal holder = vm.addr(holderKey);
    BridgedToken internal token;

    function setUp() public {
        token = new BridgedToken("Bridged USD", "bUSD", 6, bridge);
    }

    function test_constructor_metadata() public view {
        assertEq(token.decimals(), 6, "custom decimals");
        assertEq(token.bridge(), bridge, "bridge");
        assertEq(keccak256(bytes(token.name())), keccak256("Bridged USD"), "name");
        assertEq(keccak256(bytes(token.symbol())), keccak256("bUSD"), "symbol");
    }

    function test_constructor_zeroBridge() public {
        vm.expectRevert(IBridgedToken.ZeroBridge.selector);
        new BridgedToken("X", "X", 18, address(0));
    }

    function test_mint_byBridge() public {
        vm.prank(bridge);
        token.mint(holder, 100);
        assertEq(token.balanceOf(holder), 100, "balance");
        assertEq(token.totalSupply(), 100, "supply");
    }

    function test_mint_onlyBridge() public {
        vm.expectRevert(IBridgedToken.OnlyBridge.selector);
        vm.prank(holder);
        token.mint(holder, 100);
    }

    function test_burn_byBridge() public {
        vm.prank(bridge);
        token.mint(holder, 100);
        vm.prank(bridge);
        token.burn(holder, 40);
        assertEq(token.balanceOf(holder), 60, "balance");
        assertEq(token.totalSupply(), 60, "supply");
    }

    function test_burn_onlyBridge() public {
        vm.prank(bridge);
        token.mint(holder, 100);
        vm.expectRevert(IBridgedToken.OnlyBridge.selector);
        vm.prank(holder);
        token.burn(holder, 100);
        assertEq(token.balanceOf(holder), 100, "untouched");
    }

    function test_permit_setsAllowance() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(holderKey, holder, spender, 500, 0, deadline);
        token.permit(holder, spender, 500, deadline, v, r, s);
        assertEq(token.allowance(holder, spender), 500, "allowance");
        assertEq(token.nonces(holder), 1, "nonce used");
    }

    function test_permit_replayRejected() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(holderKey, holder, spender, 500, 0, deadline);
        token.permit(holder, spender, 500, deadline, v, r, s);
        vm.expectRevert();
        token.permit(holder, spender, 500, deadline, v, r, s);
    }

    function test_permit_expired() public {
        vm.warp(1000);
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(holderKey, holder, spender, 500, 0, 999);
        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612ExpiredSignature.selector, 999));
        token.permit(holder, spender, 500, 999, v, r, s);
    }

    function _signPermit(uint256 key, address owner_, address spender_, uint256 value, uint256 nonce, uint256 deadline)
        internal
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner_, spender_, value, nonce, deadline));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        (v, r, s) = vm.sign(key, digest);
    }
}
