// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ITokenBridge
/// @notice Events and errors of the TokenBridge (docs/protocol.md §8, §8.1), declared once here; the contract inherits
///         them, so `TokenBridge.X.selector` and `emit TokenBridge.X(...)` keep working in tests and tools.
interface ITokenBridge {
    /// @notice A transfer left this chain.
    event TransferSent(
        bytes32 indexed messageId,
        address indexed token,
        uint32 indexed destination,
        address from,
        bytes32 recipient,
        uint256 amount,
        uint64 wireAmount
    );
    /// @notice A distribution left this chain: `amount` local units (`wireAmount` shared) were locked or burned to
    ///         fund the claims vault of `distributionId` on `destination`, payable to the leaves under `root`.
    event DistributionSent(
        bytes32 indexed messageId,
        address indexed token,
        uint32 indexed destination,
        address from,
        bytes32 distributionId,
        bytes32 root,
        uint32 leafCount,
        uint256 amount,
        uint64 wireAmount
    );
    /// @notice A queued transfer was credited (released or minted) to its recipient by `releaseQueued`.
    /// @dev Not emitted for direct credits in `handle` (saves ~2,100 gas on the benchmarked delivery path): those are
    ///      described by the Gateway's `MessageDelivered` and the token's `Transfer` / mint.
    event TransferReceived(uint32 indexed origin, address indexed token, address indexed recipient, uint256 amount);
    /// @notice An inbound transfer exceeded the inbound bucket and was queued.
    event TransferQueued(
        uint256 indexed queueId, uint32 indexed origin, address indexed token, address recipient, uint256 amount
    );
    /// @notice A queued transfer was released to its recipient.
    event QueuedTransferReleased(uint256 indexed queueId);
    /// @notice The owner or the guardian (`by`) cancelled a queued transfer; it is now the refund record of
    ///         `messageId` (reason REFUND_CANCELLED, see `TransferRefundable`).
    event QueuedTransferCancelled(uint256 indexed queueId, bytes32 indexed messageId, address indexed by);
    /// @notice An inbound transfer will never be credited here: it is recorded refundable, its value stays held (in
    ///         escrow, or never minted), and the attester quorum may sign a refund receipt for its origin
    ///         (docs/protocol.md §8.1). Reasons: 1 cancelled, 2 invalid recipient, 3 amount overflow (never on EVM).
    event TransferRefundable(
        bytes32 indexed messageId, uint32 indexed origin, uint64 nonce, address indexed token, uint64 wireAmount, uint8 reason
    );
    /// @notice An outbound transfer that its destination recorded refundable was paid back here (`refund`):
    ///         `amount` local units of `token` released from escrow or minted to `refundTo`.
    event TransferRefunded(bytes32 indexed messageId, address indexed token, address indexed refundTo, uint256 amount);
    /// @notice The remote bridge for `domain` was set (zero closes the route).
    event RemoteBridgeSet(uint32 indexed domain, bytes32 bridge);
    /// @notice `domain` was declared claims-capable (or no longer).
    event ClaimsCapableSet(uint32 indexed domain, bool enabled);
    /// @notice A local token was registered.
    event TokenRegistered(address indexed token, uint8 mode, uint8 localDecimals, uint8 sharedDecimals);
    /// @notice A local token was linked to `remoteToken` on `remoteDomain` (zero unlinks).
    event TokenLinked(address indexed token, uint32 indexed remoteDomain, bytes32 remoteToken);
    /// @notice The rate limits of a (token, remote domain) route were set.
    event RateLimitsSet(
        address indexed token,
        uint32 indexed remoteDomain,
        uint64 outCapacity,
        uint64 outRefillPerSecond,
        uint64 inCapacity,
        uint64 inRefillPerSecond
    );

    /// @notice The caller is not the Gateway.
    error OnlyGateway();
    /// @notice A required address is zero.
    error ZeroAddress();
    /// @notice No remote bridge is set for `destination`.
    error UnknownRoute(uint32 destination);
    /// @notice The domain is zero or this chain's own domain.
    error InvalidDomain(uint32 domain);
    /// @notice The token is not registered.
    error TokenNotRegistered(address token);
    /// @notice The token is already registered (registration is permanent: decimals and mode never change).
    error TokenAlreadyRegistered(address token);
    /// @notice The token has no remote token on `domain`.
    error TokenNotLinked(address token, uint32 domain);
    /// @notice `mode` is neither MODE_LOCK nor MODE_MINT.
    error InvalidMode(uint8 mode);
    /// @notice A MODE_MINT token is not a BridgedToken whose bridge is this contract.
    error NotBridgeMintable(address token);
    /// @notice `remoteToken` on `domain` is already linked to another local token.
    error RemoteTokenAlreadyLinked(uint32 domain, bytes32 remoteToken, address linkedTo);
    /// @notice The recipient is zero, or one the destination's family can never accept (outbound); the refund
    ///         recipient of a receipt is not a non-zero EVM address (`refund`).
    error InvalidRecipient(bytes32 recipient);
    /// @notice The route's bucket holds less than requested (amounts in shared units).
    error RateLimitExceeded(address token, uint32 domain, uint64 requested, uint64 available);
    /// @notice The bridge received less than it asked for: fee-on-transfer tokens are unsupported.
    error FeeOnTransferUnsupported(address token, uint256 expected, uint256 received);
    /// @notice The fee refund to the sender failed.
    error RefundFailed(address to, uint256 amount);
    /// @notice `sender` is not the TokenBridge registered for `origin`.
    error UnknownRemoteBridge(uint32 origin, bytes32 sender);
    /// @notice `token` (the local token named by the payload) is not linked to `origin`.
    error UnknownRemoteToken(uint32 origin, bytes32 token);
    /// @notice No queued transfer has this id (never queued, already released or cancelled).
    error UnknownQueuedTransfer(uint256 queueId);
    /// @notice `destination` was not declared claims-capable: its bridge would reject the distribution.
    error ClaimsUnsupported(uint32 destination);
    /// @notice A distribution's payout root is zero (no leaf could ever be proven: the vault would be stuck).
    error InvalidPayoutRoot(bytes32 root);
    /// @notice A distribution's leaf count is outside 1..DistributionMessage.MAX_LEAF_COUNT (the destination would
    ///         reject it and the tokens taken here would back nothing).
    error InvalidLeafCount(uint32 leafCount);
    /// @notice A distribution with this id was already sent to `destination` (the destination would reject it).
    error DistributionIdUsed(uint32 destination, bytes32 distributionId);
    /// @notice The Gateway is paused: no value leaves the bridge (same selector as OpenZeppelin Pausable's).
    error EnforcedPause();
    /// @notice `cancelQueued` by someone who is neither the owner nor the Gateway's guardian.
    error NotOwnerOrGuardian(address caller);
    /// @notice A refund receipt names another origin domain than this chain's.
    error WrongRefundOrigin(uint32 expected, uint32 actual);
    /// @notice The transfer with this nonce of this origin was already refunded.
    error AlreadyRefunded(uint64 nonce);
}
