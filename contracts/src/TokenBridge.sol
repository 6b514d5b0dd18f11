// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {BridgedToken} from "./BridgedToken.sol";
import {IGateway} from "./interfaces/IGateway.sol";
import {IMessageRecipient} from "./interfaces/IMessageRecipient.sol";
import {Amounts} from "./libraries/Amounts.sol";
import {RateLimit} from "./libraries/RateLimit.sol";
import {TokenMessage} from "./libraries/TokenMessage.sol";

/// @title TokenBridge
/// @notice Moves ERC-20 tokens between maskoii domains over the Gateway (docs/protocol.md §8). Canonical tokens are
///         locked on send and released on receive; bridged representations (BridgedToken) are burned and minted.
/// @dev Routes are closed until configured: a remote bridge per domain, a registered token, a link to the remote
///      token, and rate limits (a bucket of capacity 0 lets nothing through, see RateLimit). Inbound transfers above
///      the inbound bucket are queued, never dropped; anyone may release them once the bucket refills.
contract TokenBridge is IMessageRecipient, Ownable2Step, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using RateLimit for RateLimit.Bucket;

    /// @notice Mode of a canonical token: locked in this contract on send, released on receive.
    uint8 public constant MODE_LOCK = 0;
    /// @notice Mode of a BridgedToken owned by this contract: burned on send, minted on receive.
    uint8 public constant MODE_MINT = 1;

    /// @notice Per-token configuration, one slot.
    struct TokenConfig {
        bool registered;
        uint8 mode;
        uint8 localDecimals;
        uint8 sharedDecimals;
    }

    /// @notice What a remote token maps to on this chain, one slot (read by `handle`).
    struct InboundRoute {
        address token;
        uint8 mode;
        uint8 localDecimals;
        uint8 sharedDecimals;
    }

    /// @notice An inbound transfer waiting for inbound bucket capacity.
    struct QueuedTransfer {
        address token; // slot 0: 160
        uint32 origin; //         + 32
        uint64 wireAmount; //     + 64 = 256
        address recipient; // slot 1
    }

    /// @notice The local Gateway; the only caller of `handle` and the only ETH sender accepted.
    IGateway public immutable gateway;

    /// @notice The TokenBridge on each remote domain, left-padded to 32 bytes (zero = no route).
    mapping(uint32 domain => bytes32 bridge) public remoteBridge;
    /// @notice Registration of each local token.
    mapping(address token => TokenConfig) public tokenConfig;
    /// @notice The remote token each local token is linked to per remote domain (zero = not linked).
    mapping(address token => mapping(uint32 domain => bytes32 remoteToken)) public remoteToken;
    /// @notice Inbound lookup: remote domain and remote token to the local token and its decimals.
    mapping(uint32 domain => mapping(bytes32 remoteToken => InboundRoute)) public inboundRoute;
    /// @notice Outbound buckets per (token, remote domain), in shared units.
    mapping(address token => mapping(uint32 domain => RateLimit.Bucket)) public outboundBucket;
    /// @notice Inbound buckets per (token, remote domain), in shared units.
    mapping(address token => mapping(uint32 domain => RateLimit.Bucket)) public inboundBucket;
    /// @notice Queued inbound transfers by queue id (deleted when released).
    mapping(uint256 queueId => QueuedTransfer) public queuedTransfer;
    /// @notice Id the next queued transfer gets (ids start at 1).
    uint256 public nextQueueId = 1;

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
    /// @notice A transfer was credited (released or minted) to its recipient.
    event TransferReceived(uint32 indexed origin, address indexed token, address indexed recipient, uint256 amount);
    /// @notice An inbound transfer exceeded the inbound bucket and was queued.
    event TransferQueued(
        uint256 indexed queueId, uint32 indexed origin, address indexed token, address recipient, uint256 amount
    );
    /// @notice A queued transfer was released to its recipient.
    event QueuedTransferReleased(uint256 indexed queueId);
    /// @notice The remote bridge for `domain` was set (zero closes the route).
    event RemoteBridgeSet(uint32 indexed domain, bytes32 bridge);
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
    /// @notice The recipient is zero (outbound) or not a non-zero EVM address (inbound).
    error InvalidRecipient(bytes32 recipient);
    /// @notice The route's bucket holds less than requested (amounts in shared units).
    error RateLimitExceeded(address token, uint32 domain, uint64 requested, uint64 available);
    /// @notice The bridge received less than it asked for: fee-on-transfer tokens are unsupported.
    error FeeOnTransferUnsupported(address token, uint256 expected, uint256 received);
    /// @notice The fee refund to the sender failed.
    error RefundFailed(address to, uint256 amount);
    /// @notice `sender` is not the TokenBridge registered for `origin`.
    error UnknownRemoteBridge(uint32 origin, bytes32 sender);
    /// @notice `remoteToken` from `origin` is not linked to a local token.
    error UnknownRemoteToken(uint32 origin, bytes32 remoteToken);
    /// @notice No queued transfer has this id (never queued, or already released).
    error UnknownQueuedTransfer(uint256 queueId);

    /// @param gateway_ The local Gateway.
    /// @param owner_ The configuration owner (two-step transfer), expected to be a multisig.
    constructor(IGateway gateway_, address owner_) Ownable(owner_) {
        if (address(gateway_) == address(0)) revert ZeroAddress();
        gateway = gateway_;
    }

    /// @notice Accepts ETH only from the Gateway (its refund of an overpaid fee).
    receive() external payable {
        if (msg.sender != address(gateway)) revert OnlyGateway();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Sending
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Sends `amount` of `token` to `recipient` on `destination`. Only the dust-free part of `amount`
    ///         (`wire * 10^(L-S)`) is taken; the dust stays with the caller. Pays the Gateway fee from `msg.value`
    ///         and refunds any overpayment to the caller.
    /// @param token The local token (canonical in lock mode, BridgedToken in mint mode).
    /// @param destination The destination domain.
    /// @param recipient The recipient on the destination, left-padded to 32 bytes; non-zero.
    /// @param amount The amount in local units; needs an allowance in lock mode.
    /// @return messageId The Gateway message id.
    function transferRemote(address token, uint32 destination, bytes32 recipient, uint256 amount)
        external
        payable
        nonReentrant
        returns (bytes32 messageId)
    {
        bytes32 bridge = remoteBridge[destination];
        if (bridge == bytes32(0)) revert UnknownRoute(destination);
        if (recipient == bytes32(0)) revert InvalidRecipient(recipient);
        (uint64 wire, uint256 taken) = _take(token, destination, amount);
        messageId = _dispatch(
            destination, bridge, TokenMessage.encode(_toBytes32(token), recipient, wire, _toBytes32(msg.sender))
        );
        emit TransferSent(messageId, token, destination, msg.sender, recipient, taken, wire);
    }

    /// @notice The fee `transferRemote` to `destination` needs in `msg.value`.
    function quoteTransfer(uint32 destination) external view returns (uint256 fee) {
        if (remoteBridge[destination] == bytes32(0)) revert UnknownRoute(destination);
        return gateway.quoteFee(destination, TokenMessage.LENGTH);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Receiving
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Credits an inbound transfer, or queues it if the inbound bucket lacks capacity. Only the Gateway.
    /// @dev A revert (unknown sender or token, bad recipient, escrow short of funds) makes the Gateway record the
    ///      message as failed; it can be retried. Over-limit transfers never revert: they are queued.
    /// @param origin The origin domain.
    /// @param sender The origin-side sender; must be the remote bridge registered for `origin`.
    /// @param payload A TokenMessage.
    function handle(uint32 origin, bytes32 sender, bytes calldata payload) external override nonReentrant {
        if (msg.sender != address(gateway)) revert OnlyGateway();
        bytes32 expected = remoteBridge[origin];
        if (sender != expected || expected == bytes32(0)) revert UnknownRemoteBridge(origin, sender);

        (bytes32 remote, bytes32 recipient, uint64 wire,) = TokenMessage.decode(payload);
        InboundRoute memory route = inboundRoute[origin][remote];
        if (route.token == address(0)) revert UnknownRemoteToken(origin, remote);
        if (uint256(recipient) >> 160 != 0 || recipient == bytes32(0)) revert InvalidRecipient(recipient);
        address to = address(uint160(uint256(recipient)));

        uint256 amount = Amounts.toLocal(wire, route.localDecimals, route.sharedDecimals);
        (bool ok,) = inboundBucket[route.token][origin].tryConsume(wire);
        if (!ok) {
            uint256 queueId = nextQueueId++;
            queuedTransfer[queueId] =
                QueuedTransfer({token: route.token, origin: origin, wireAmount: wire, recipient: to});
            emit TransferQueued(queueId, origin, route.token, to, amount);
            return;
        }
        _credit(route.token, route.mode, to, amount);
        emit TransferReceived(origin, route.token, to, amount);
    }

    /// @notice Releases a queued inbound transfer once the inbound bucket holds enough. Anyone may call.
    /// @dev The entry is deleted before the token is called (checks-effects-interactions). A transfer larger than the
    ///      bucket's capacity (or queued on a closed route, capacity 0) waits until the owner raises the capacity and
    ///      the bucket refills; it is never dropped. A release that reverts (e.g. escrow short) leaves it queued.
    /// @param queueId The id from `TransferQueued`.
    function releaseQueued(uint256 queueId) external nonReentrant {
        QueuedTransfer memory q = queuedTransfer[queueId];
        if (q.token == address(0)) revert UnknownQueuedTransfer(queueId);
        (bool ok, uint64 level) = inboundBucket[q.token][q.origin].tryConsume(q.wireAmount);
        if (!ok) revert RateLimitExceeded(q.token, q.origin, q.wireAmount, level);
        delete queuedTransfer[queueId];

        TokenConfig memory cfg = tokenConfig[q.token];
        uint256 amount = Amounts.toLocal(q.wireAmount, cfg.localDecimals, cfg.sharedDecimals);
        _credit(q.token, cfg.mode, q.recipient, amount);
        emit QueuedTransferReleased(queueId);
        emit TransferReceived(q.origin, q.token, q.recipient, amount);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Configuration (owner)
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Sets the TokenBridge on `domain` (left-padded); zero closes the route in both directions.
    function setRemoteBridge(uint32 domain, bytes32 bridge) external onlyOwner {
        _checkDomain(domain);
        remoteBridge[domain] = bridge;
        emit RemoteBridgeSet(domain, bridge);
    }

    /// @notice Registers a local token, permanently fixing its mode and decimals.
    /// @param token The token. In MODE_MINT it must be a BridgedToken whose bridge is this contract.
    /// @param mode MODE_LOCK (0) or MODE_MINT (1).
    /// @param sharedDecimals The route's shared decimals, `<=` the token's decimals, equal on every chain of the
    ///        token (the spec's default is `min(decimals, 8)`).
    function registerToken(address token, uint8 mode, uint8 sharedDecimals) external onlyOwner {
        if (token == address(0)) revert ZeroAddress();
        if (mode > MODE_MINT) revert InvalidMode(mode);
        if (tokenConfig[token].registered) revert TokenAlreadyRegistered(token);
        if (mode == MODE_MINT && BridgedToken(token).bridge() != address(this)) revert NotBridgeMintable(token);
        uint8 localDecimals = IERC20Metadata(token).decimals();
        Amounts.validateDecimals(localDecimals, sharedDecimals);
        tokenConfig[token] =
            TokenConfig({registered: true, mode: mode, localDecimals: localDecimals, sharedDecimals: sharedDecimals});
        emit TokenRegistered(token, mode, localDecimals, sharedDecimals);
    }

    /// @notice Links a registered token to its counterpart on `remoteDomain` (both directions); zero unlinks.
    /// @dev A remote token maps to at most one local token per domain. Relinking replaces the previous link.
    function linkToken(address token, uint32 remoteDomain, bytes32 remoteToken_) external onlyOwner {
        _checkDomain(remoteDomain);
        TokenConfig memory cfg = tokenConfig[token];
        if (!cfg.registered) revert TokenNotRegistered(token);
        if (remoteToken_ != bytes32(0)) {
            address linked = inboundRoute[remoteDomain][remoteToken_].token;
            if (linked != address(0) && linked != token) {
                revert RemoteTokenAlreadyLinked(remoteDomain, remoteToken_, linked);
            }
        }
        bytes32 previous = remoteToken[token][remoteDomain];
        if (previous != bytes32(0)) delete inboundRoute[remoteDomain][previous];
        remoteToken[token][remoteDomain] = remoteToken_;
        if (remoteToken_ != bytes32(0)) {
            inboundRoute[remoteDomain][remoteToken_] = InboundRoute({
                token: token, mode: cfg.mode, localDecimals: cfg.localDecimals, sharedDecimals: cfg.sharedDecimals
            });
        }
        emit TokenLinked(token, remoteDomain, remoteToken_);
    }

    /// @notice Sets both buckets of a (token, remote domain) route, in shared units per second.
    /// @dev Capacity 0 closes that direction; RateLimit.UNLIMITED (type(uint64).max) removes the limit.
    function setRateLimits(
        address token,
        uint32 remoteDomain,
        uint64 outCapacity,
        uint64 outRefillPerSecond,
        uint64 inCapacity,
        uint64 inRefillPerSecond
    ) external onlyOwner {
        _checkDomain(remoteDomain);
        if (!tokenConfig[token].registered) revert TokenNotRegistered(token);
        outboundBucket[token][remoteDomain].configure(outCapacity, outRefillPerSecond);
        inboundBucket[token][remoteDomain].configure(inCapacity, inRefillPerSecond);
        emit RateLimitsSet(token, remoteDomain, outCapacity, outRefillPerSecond, inCapacity, inRefillPerSecond);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------------------------

    /// @notice What the outbound bucket of (token, domain) holds now, in shared units.
    function outboundAvailable(address token, uint32 domain) external view returns (uint64) {
        return outboundBucket[token][domain].available();
    }

    /// @notice What the inbound bucket of (token, domain) holds now, in shared units.
    function inboundAvailable(address token, uint32 domain) external view returns (uint64) {
        return inboundBucket[token][domain].available();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------------------

    /// @dev Checks the token route, normalises `amount`, consumes the outbound bucket and takes the dust-free
    ///      amount from the caller: lock with an exact balance-delta check, or burn.
    function _take(address token, uint32 destination, uint256 amount) private returns (uint64 wire, uint256 taken) {
        TokenConfig memory cfg = tokenConfig[token];
        if (!cfg.registered) revert TokenNotRegistered(token);
        if (remoteToken[token][destination] == bytes32(0)) revert TokenNotLinked(token, destination);

        uint256 dust;
        (wire, dust) = Amounts.toShared(amount, cfg.localDecimals, cfg.sharedDecimals);
        taken = amount - dust;

        (bool ok, uint64 level) = outboundBucket[token][destination].tryConsume(wire);
        if (!ok) revert RateLimitExceeded(token, destination, wire, level);

        if (cfg.mode == MODE_LOCK) {
            uint256 before = IERC20(token).balanceOf(address(this));
            IERC20(token).safeTransferFrom(msg.sender, address(this), taken);
            uint256 received = IERC20(token).balanceOf(address(this)) - before;
            if (received != taken) revert FeeOnTransferUnsupported(token, taken, received);
        } else {
            BridgedToken(token).burn(msg.sender, taken);
        }
    }

    /// @dev Sends through the Gateway with all of `msg.value` and forwards the Gateway's refund to the caller.
    function _dispatch(uint32 destination, bytes32 bridge, bytes memory payload) private returns (bytes32 messageId) {
        uint256 baseline = address(this).balance - msg.value;
        messageId = gateway.send{value: msg.value}(destination, bridge, payload);
        uint256 refund = address(this).balance - baseline;
        if (refund != 0) {
            (bool sent,) = msg.sender.call{value: refund}("");
            if (!sent) revert RefundFailed(msg.sender, refund);
        }
    }

    function _credit(address token, uint8 mode, address to, uint256 amount) private {
        if (mode == MODE_LOCK) {
            IERC20(token).safeTransfer(to, amount);
        } else {
            BridgedToken(token).mint(to, amount);
        }
    }

    function _checkDomain(uint32 domain) private view {
        if (domain == 0 || domain == gateway.localDomain()) revert InvalidDomain(domain);
    }

    function _toBytes32(address a) private pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }
}
