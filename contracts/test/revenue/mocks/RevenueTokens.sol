// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MockERC20} from "../../mocks/Tokens.sol";

/// @notice USDC-like: transfers to or from a blacklisted address revert.
contract BlacklistToken is MockERC20 {
    error Blacklisted(address account);

    mapping(address => bool) public blacklisted;

    constructor() MockERC20("Blacklist", "BLK", 6) {}

    function setBlacklisted(address account, bool value) external {
        blacklisted[account] = value;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blacklisted[from]) revert Blacklisted(from);
        if (blacklisted[to]) revert Blacklisted(to);
        super._update(from, to, value);
    }
}

/// @notice Reverts every transfer while switched on (a paused or broken token).
contract RevertingToken is MockERC20 {
    error TokenBroken();

    bool public broken;

    constructor() MockERC20("Reverting", "REV", 18) {}

    function setBroken(bool value) external {
        broken = value;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (broken && from != address(0)) revert TokenBroken();
        super._update(from, to, value);
    }
}

/// @notice Burns `feeBps` of every transfer once the fee is switched on (a token that adds a fee later).
contract SwitchableFeeToken is MockERC20 {
    uint256 public feeBps;

    constructor() MockERC20("Switchable fee", "SWF", 18) {}

    function setFee(uint256 feeBps_) external {
        feeBps = feeBps_;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0) && feeBps != 0) {
            uint256 fee = value * feeBps / 10_000;
            super._update(from, address(0), fee);
            value -= fee;
        }
        super._update(from, to, value);
    }
}
