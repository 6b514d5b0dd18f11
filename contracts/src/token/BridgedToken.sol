// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

import {IBridgedToken} from "./interfaces/IBridgedToken.sol";

/// @title BridgedToken
/// @notice The representation of a remote canonical token on this chain: an ERC-20 with EIP-2612 permit that only
///         its TokenBridge can mint (on receive) and burn (on send). See docs/protocol.md §8.
contract BridgedToken is IBridgedToken, ERC20, ERC20Permit {
    /// @inheritdoc IBridgedToken
    address public immutable override bridge;
    uint8 private immutable _decimals;

    /// @param name_ ERC-20 name (also the EIP-712 domain name for permit).
    /// @param symbol_ ERC-20 symbol.
    /// @param decimals_ Local decimals of this representation.
    /// @param bridge_ The TokenBridge allowed to mint and burn.
    constructor(string memory name_, string memory symbol_, uint8 decimals_, address bridge_)
        ERC20(name_, symbol_)
        ERC20Permit(name_)
    {
        if (bridge_ == address(0)) revert ZeroBridge();
        bridge = bridge_;
        _decimals = decimals_;
    }

    modifier onlyBridge() {
        if (msg.sender != bridge) revert OnlyBridge();
        _;
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @inheritdoc IBridgedToken
    function mint(address to, uint256 amount) external override onlyBridge {
        _mint(to, amount);
    }

    /// @inheritdoc IBridgedToken
    function burn(address from, uint256 amount) external override onlyBridge {
        _burn(from, amount);
    }
}
