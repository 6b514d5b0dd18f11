// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

import {IAttesterSet} from "../core/interfaces/IAttesterSet.sol";
import {IGateway} from "../core/interfaces/IGateway.sol";
import {IMessageRecipient} from "../core/interfaces/IMessageRecipient.sol";
import {Amounts} from "../libraries/Amounts.sol";
import {AttestationLib} from "../libraries/AttestationLib.sol";
import {ChainFamily} from "../libraries/ChainFamily.sol";
import {DistributionMessage} from "../libraries/DistributionMessage.sol";
import {Message} from "../libraries/Message.sol";
import {RateLimit} from "../libraries/RateLimit.sol";
import {RefundReceipt} from "../libraries/RefundReceipt.sol";
import {TokenMessage} from "../libraries/TokenMessage.sol";
import {InboundRoute, InboundRouteLibrary} from "../types/InboundRoute.sol";
import {IBridgedToken} from "./interfaces/IBridgedToken.sol";
import {ITokenBridge} from "./interfaces/ITokenBridge.sol";

/// @title TokenBridge
/// @notice Moves ERC-20 tokens between maskoii domains over the Gateway (docs/protocol.md §8). Canonical tokens are
///         locked on send and released on receive; bridged representations (BridgedToken) are burned and minted.
///         Besides transfers (payload kind 1) it sends distributions (kind 2): a payout root that funds a claims vault
///         on a claims-capable destination (the Solana program) with tokens taken here exactly like a transfer.
/// @dev Routes are closed until configured: a remote bridge per domain, a registered token, a link to the remote
///      token, and rate limits (a bucket of capacity 0 lets nothing through, see RateLimit). Inbound transfers above
///      the inbound bucket are queued, never dropped; anyone may release them once the bucket refills.
///
///      Inbound state lives in ONE slot per (local token, origin domain, remote bridge), keyed by
///      `keccak256(abi.encode(token, origin, remoteBridge))` (see `inboundRouteKey`), so `handle` validates the sender
///      and the token, reads mode and decimal scale and runs the inbound bucket with one SLOAD and one SSTORE. The
///      word is an InboundRoute (src/types/InboundRoute.sol, layout there): the inbound bucket in the low 232 bits,
///      then scale exponent `L - S`, mode and a linked flag. A wrong sender or an unlinked token finds no linked
///      flag. When the remote bridge of a domain changes, `setRemoteBridge` moves the slots of every token with
///      inbound state on that domain to the new key (bucket state kept).
///
///      Brakes and refunds (docs/protocol.md §8.1). The bridge has no pause of its own: every function that moves
///      value out (`releaseQueued`, `refund`; `handle` is reached only through the Gateway's paused `deliver` /
///      `deliverBatch` / `retry`) reads the Gateway's `paused()`, so one guardian action stops both contracts. The
///      owner or the guardian may `cancelQueued` (also while paused) an inbound transfer waiting in the queue: it
///      becomes a refund record and its value stays held here. Inbound transfers that can never be credited (a
///      recipient that is not an EVM address) become refund records too instead of failing forever. The quorum pays
///      a refund record back on the transfer's origin with a signed receipt (`refund`).
contract TokenBridge is ITokenBridge, IMessageRecipient, Ownable2Step, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using RateLimit for RateLimit.Bucket;
    using EnumerableSet for EnumerableSet.AddressSet;

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

    /// @notice Refund reason: the owner or the guardian cancelled the queued transfer.
    uint8 public constant REFUND_CANCELLED = 1;
    /// @notice Refund reason: the recipient is not a non-zero EVM address (upper 12 bytes not zero, or zero).
    uint8 public constant REFUND_INVALID_RECIPIENT = 2;
    /// @notice Refund reason: the scaled amount does not fit the destination's amount type. Never recorded on EVM:
    ///         `wire * 10^(L-S)` with L - S <= 36 is below 2^184; the reason exists for the Solana program (u64).
    uint8 public constant REFUND_AMOUNT_OVERFLOW = 3;

    /// @notice An inbound transfer waiting for inbound bucket capacity, with the message it came in (for cancelling
    ///         it into a refund record keyed like every other one).
    struct QueuedTransfer {
        address token; // slot 0: 160
        uint32 origin; //         + 32
        uint64 wireAmount; //     + 64 = 256
        address recipient; // slot 1: 160
        uint64 nonce; //          + 64
        bytes32 messageId; // slot 2
    }

    /// @notice An inbound transfer that will never be credited here (docs/protocol.md §8.1 "Refund records").
    struct RefundRecord {
        address token; // slot 0: 160, the local token (zero = no record)
        uint32 origin; //         + 32
        uint64 wireAmount; //     + 64
        uint64 nonce; // slot 1
        uint8 reason; //          + 8
    }

    /// @notice The local Gateway; the only caller of `handle` and the only ETH sender accepted.
    IGateway public immutable gateway;

    /// @notice The TokenBridge on each remote domain, left-padded to 32 bytes (zero = no route).
    mapping(uint32 domain => bytes32 bridge) public remoteBridge;
    /// @notice Registration of each local token.
    mapping(address token => TokenConfig) public tokenConfig;
    /// @notice The remote token each local token is linked to per remote domain (zero = not linked).
    mapping(address token => mapping(uint32 domain => bytes32 remoteToken)) public remoteToken;
    /// @notice Reverse link: the local token a remote token on `domain` is linked to (zero = none).
    mapping(uint32 domain => mapping(bytes32 remoteToken => address token)) public localTokenOf;
    /// @notice Outbound buckets per (token, remote domain), in shared units.
    mapping(address token => mapping(uint32 domain => RateLimit.Bucket)) public outboundBucket;
    /// @dev Inbound route + bucket word per `inboundRouteKey(token, origin, remoteBridge[origin])`.
    mapping(bytes32 key => InboundRoute route) private _inbound;
    /// @dev Tokens that have an inbound word on a domain (moved when the domain's remote bridge changes).
    mapping(uint32 domain => EnumerableSet.AddressSet) private _inboundTokens;
    /// @notice Queued inbound transfers by queue id (deleted when released).
    mapping(uint256 queueId => QueuedTransfer) public queuedTransfer;
    /// @notice Id the next queued transfer gets (ids start at 1).
    uint256 public nextQueueId = 1;
    /// @notice Whether the owner declared `domain`'s TokenBridge claims-capable (it accepts distributions, kind 2).
    /// @dev The names of this getter and of `setClaimsCapable` are chosen with the dispatcher in mind: their selectors
    ///      sort so that `handle` (the benchmarked delivery path) is found after fewer comparisons (bench/gas).
    mapping(uint32 domain => bool) public claimsCapable;
    /// @notice Whether a distribution with this id was sent to `destination` (ids are single-use per origin on the
    ///         destination, and this bridge is the only sender of its domain's distributions).
    mapping(uint32 destination => mapping(bytes32 distributionId => bool)) public distributionSent;
    /// @notice Inbound transfers recorded refundable here, by message id (what attesters read before signing a
    ///         refund receipt for the origin).
    mapping(bytes32 messageId => RefundRecord) public refundRecord;
    /// @notice Outbound transfers of this chain already refunded, by nonce (at most one refund per nonce).
    mapping(uint64 nonce => bool) public refunded;

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
    /// @param recipient The recipient on the destination, left-padded to 32 bytes; non-zero, and one the destination's
    ///        family (`Gateway.destinationFamily`) can accept: to an EVM destination, an address (upper 12 bytes zero).
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
        if (recipient == bytes32(0) || !ChainFamily.accepts(gateway.destinationFamily(destination), recipient)) {
            revert InvalidRecipient(recipient);
        }
        (uint64 wire, uint256 taken, bytes32 destinationToken) = _take(token, destination, amount);
        messageId = _dispatch(destination, bridge, TokenMessage.encode(destinationToken, recipient, wire));
        emit TransferSent(messageId, token, destination, msg.sender, recipient, taken, wire);
    }

    /// @notice The fee `transferRemote` to `destination` needs in `msg.value`.
    function quoteTransfer(uint32 destination) external view returns (uint256 fee) {
        if (remoteBridge[destination] == bytes32(0)) revert UnknownRoute(destination);
        return gateway.quoteFee(destination, TokenMessage.LENGTH);
    }

    /// @notice Funds a payout on `destination`: takes `amount` of `token` exactly like `transferRemote` (lock or
    ///         burn of the dust-free part, the outbound bucket, the Gateway fee from `msg.value` with the overpayment
    ///         refunded) and sends a distribution payload (kind 2) to the destination's TokenBridge, which funds the
    ///         claims vault of `distributionId` with the same value and pays each leaf under `root` once
    ///         (docs/solana.md, "Claims"). The destination must be claims-capable: an EVM TokenBridge rejects it.
    /// @dev Checks here what the destination would otherwise reject forever, leaving the tokens locked behind a
    ///      message that can never be delivered: a destination not declared claims-capable (EVM TokenBridges reject
    ///      kind 2), a zero root, a leaf count outside 1..MAX_LEAF_COUNT, a reused id.
    ///      The leaves' amounts (shared decimals) must sum to at most the wire amount; the destination enforces it.
    /// @param token The local token (canonical in lock mode, BridgedToken in mint mode).
    /// @param destination The destination domain.
    /// @param root Root of the sorted-pair tree over the claim leaves (sdk `claimRoot`).
    /// @param amount The amount in local units; the vault receives `wire * 10^(L-S)` of the destination's decimals.
    /// @param leafCount The number of leaves under `root`.
    /// @param distributionId The distribution's id, single-use per destination.
    /// @return messageId The Gateway message id.
    function transferDistribution(
        address token,
        uint32 destination,
        bytes32 root,
        uint256 amount,
        uint32 leafCount,
        bytes32 distributionId
    ) external payable nonReentrant returns (bytes32 messageId) {
        bytes32 bridge = remoteBridge[destination];
        if (bridge == bytes32(0)) revert UnknownRoute(destination);
        if (!claimsCapable[destination]) revert ClaimsUnsupported(destination);
        if (root == bytes32(0)) revert InvalidPayoutRoot(root);
        if (leafCount == 0 || leafCount > DistributionMessage.MAX_LEAF_COUNT) revert InvalidLeafCount(leafCount);
        if (distributionSent[destination][distributionId]) revert DistributionIdUsed(destination, distributionId);
        distributionSent[destination][distributionId] = true;
        (uint64 wire, uint256 taken, bytes32 destinationToken) = _take(token, destination, amount);
        messageId = _dispatch(
            destination,
            bridge,
            DistributionMessage.encode(root, destinationToken, wire, leafCount, distributionId)
        );
        emit DistributionSent(messageId, token, destination, msg.sender, distributionId, root, leafCount, taken, wire);
    }

    /// @notice The fee `transferDistribution` to `destination` needs in `msg.value`.
    function quoteDistribution(uint32 destination) external view returns (uint256 fee) {
        if (remoteBridge[destination] == bytes32(0)) revert UnknownRoute(destination);
        if (!claimsCapable[destination]) revert ClaimsUnsupported(destination);
        return gateway.quoteFee(destination, DistributionMessage.LENGTH);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Receiving
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Credits an inbound transfer, or queues it if the inbound bucket lacks capacity. Only the Gateway.
    /// @dev A revert (unknown sender or token, escrow short of funds) makes the Gateway record the message as failed;
    ///      it can be retried once fixed. A recipient that is not a non-zero EVM address can never be credited, so the
    ///      transfer does not revert forever: it is recorded refundable (reason 2) and its value stays held. Over-limit
    ///      transfers never revert: they are queued. One SLOAD and at most one SSTORE of bridge storage on the credit
    ///      path: the route word of (token, origin, sender).
    /// @param origin The origin domain.
    /// @param sender The origin-side sender; must be the remote bridge registered for `origin`.
    /// @param payload A TokenMessage naming the local token. Any other kind fails (a distribution, kind 2, is 109
    ///        bytes: `TokenMessageInvalidLength(109)`); EVM has no claims vault.
    function handle(uint32 origin, bytes32 sender, bytes calldata payload) external override nonReentrant {
        if (msg.sender != address(gateway)) revert OnlyGateway();
        (bytes32 tokenWord, bytes32 recipient, uint64 wire) = TokenMessage.decode(payload);
        bytes32 key = _routeKey(tokenWord, origin, sender);
        // The credit path reads the route's fields inline with the type's layout constants and calls RateLimit's
        // packed bucket directly: on this build (legacy codegen) InboundRoute's library calls are not inlined and
        // cost ~90 gas per delivery in all (bench/gas). `releaseQueued`, `refund` and `setRateLimits` do the same;
        // links and views use the InboundRoute functions.
        uint256 route = InboundRoute.unwrap(_inbound[key]);
        if (route & InboundRouteLibrary.LINKED_FLAG == 0 || sender == bytes32(0)) {
            _revertUnknownRoute(origin, sender, tokenWord);
        }
        address token = address(uint160(uint256(tokenWord)));
        if (uint256(recipient) >> 160 != 0 || recipient == bytes32(0)) {
            (bytes32 messageId, uint64 nonce) = _deliveringMessage(origin, sender, payload);
            return _recordRefundable(messageId, token, origin, nonce, wire, REFUND_INVALID_RECIPIENT);
        }
        address to = address(uint160(uint256(recipient)));

        uint256 amount;
        unchecked {
            // scale exponent <= Amounts.MAX_DECIMALS: 10^36 * (2^64 - 1) < 2^184 (InboundRoute.toLocal).
            amount = uint256(wire) * 10 ** ((route >> InboundRouteLibrary.SCALE_SHIFT) & 0xff);
        }
        (bool ok, uint256 updated,) = RateLimit.tryConsumePacked(route, wire, block.timestamp);
        if (!ok) return _queue(token, origin, sender, payload, wire, to, amount);
        if (updated != route) _inbound[key] = InboundRoute.wrap(updated);
        _credit(token, uint8(route >> InboundRouteLibrary.MODE_SHIFT), to, amount);
    }

    /// @notice Releases a queued inbound transfer once the inbound bucket holds enough. Anyone may call, except while
    ///         the Gateway is paused (`EnforcedPause`).
    /// @dev The entry is deleted before the token is called (checks-effects-interactions). A transfer larger than the
    ///      bucket's capacity (or queued on a closed route, capacity 0) waits until the owner raises the capacity and
    ///      the bucket refills; it is never dropped. A release that reverts (e.g. escrow short) leaves it queued.
    ///      Why the pause applies: after a quorum compromise the forged burst sits in this queue, and buckets refill
    ///      with time; without the check anyone could drain the queue while the guardian holds the pause.
    /// @param queueId The id from `TransferQueued`.
    function releaseQueued(uint256 queueId) external nonReentrant {
        _whenNotPaused();
        QueuedTransfer memory q = queuedTransfer[queueId];
        if (q.token == address(0)) revert UnknownQueuedTransfer(queueId);
        bytes32 key = inboundRouteKey(q.token, q.origin, remoteBridge[q.origin]);
        uint256 route = InboundRoute.unwrap(_inbound[key]);
        (bool ok, uint256 updated, uint64 level) = RateLimit.tryConsumePacked(route, q.wireAmount, block.timestamp);
        if (!ok) revert RateLimitExceeded(q.token, q.origin, q.wireAmount, level);
        if (updated != route) _inbound[key] = InboundRoute.wrap(updated);
        delete queuedTransfer[queueId];

        TokenConfig memory cfg = tokenConfig[q.token];
        uint256 amount = Amounts.toLocal(q.wireAmount, cfg.localDecimals, cfg.sharedDecimals);
        _credit(q.token, cfg.mode, q.recipient, amount);
        emit QueuedTransferReleased(queueId);
        emit TransferReceived(q.origin, q.token, q.recipient, amount);
    }

    /// @notice Cancels a queued inbound transfer: it becomes the refund record of its message (reason
    ///         REFUND_CANCELLED, `TransferRefundable`) and is never credited here. Owner or the Gateway's guardian;
    ///         allowed while paused.
    /// @dev Why: after a quorum compromise a forged burst waits in the queue behind the rate limit; cancelling its
    ///      entries contains it without freezing the legitimate queue (those entries are released after unpausing).
    ///      Why the value stays in escrow (lock mode) or unminted (mint mode) instead of going anywhere: a forged
    ///      transfer was never sent by any origin, so no honest quorum signs a refund for it and its value stays held
    ///      for good, backing the tokens that really were sent; a legitimate transfer cancelled by mistake is paid
    ///      back to its sender on its origin (`refund` there), so nothing is ever lost. The inbound bucket is not
    ///      consumed (nothing leaves).
    /// @param queueId The id from `TransferQueued`.
    function cancelQueued(uint256 queueId) external nonReentrant {
        if (msg.sender != owner() && msg.sender != gateway.guardian()) revert NotOwnerOrGuardian(msg.sender);
        QueuedTransfer memory q = queuedTransfer[queueId];
        if (q.token == address(0)) revert UnknownQueuedTransfer(queueId);
        delete queuedTransfer[queueId];
        emit QueuedTransferCancelled(queueId, q.messageId, msg.sender);
        _recordRefundable(q.messageId, q.token, q.origin, q.nonce, q.wireAmount, REFUND_CANCELLED);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Refunds on the origin
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Pays back a transfer sent from this chain that its destination recorded refundable, on a quorum's
    ///         TransferRefund attestation of `receipt` (docs/protocol.md §8.1). Anyone may submit it.
    /// @dev Checks, in the spec's order: not paused (a refund moves value out, and a compromised quorum could sign
    ///      receipts as easily as deliveries: the guardian's pause must stop both); the receipt decodes; its origin is
    ///      this chain; the nonce not refunded yet; the attestation (verifier = this bridge, through the Gateway's
    ///      `verify`); the token registered. Then it consumes the INBOUND bucket of (token, destinationDomain) (value
    ///      coming back from that domain is rate-limited like a delivery from it; short: `RateLimitExceeded`, and the
    ///      same receipt may be submitted later), marks the nonce refunded and credits `wire * 10^(L-S)` to
    ///      `refundTo` by release (lock) or mint (mint mode). At most what the transfer took, once: conservation holds.
    /// @param receipt The 121-byte refund receipt (RefundReceipt.sol).
    /// @param attestation A quorum attestation of a live set over TransferRefund(keccak256(receipt)).
    function refund(bytes calldata receipt, bytes calldata attestation) external nonReentrant {
        _whenNotPaused();
        RefundReceipt.Receipt memory r = RefundReceipt.decode(receipt);
        uint32 local = gateway.localDomain();
        if (r.originDomain != local) revert WrongRefundOrigin(local, r.originDomain);
        if (refunded[r.nonce]) revert AlreadyRefunded(r.nonce);
        IAttesterSet(address(gateway)).verify(AttestationLib.REFUND_TYPEHASH, keccak256(receipt), attestation);
        address token = address(uint160(uint256(r.token)));
        TokenConfig memory cfg = tokenConfig[token];
        if (!cfg.registered || uint256(r.token) >> 160 != 0) revert TokenNotRegistered(token);
        if (uint256(r.refundTo) >> 160 != 0 || r.refundTo == bytes32(0)) revert InvalidRecipient(r.refundTo);

        bytes32 key = inboundRouteKey(token, r.destinationDomain, remoteBridge[r.destinationDomain]);
        uint256 route = InboundRoute.unwrap(_inbound[key]);
        (bool ok, uint256 updated, uint64 level) = RateLimit.tryConsumePacked(route, r.wireAmount, block.timestamp);
        if (!ok) revert RateLimitExceeded(token, r.destinationDomain, r.wireAmount, level);
        if (updated != route) _inbound[key] = InboundRoute.wrap(updated);
        refunded[r.nonce] = true;

        address to = address(uint160(uint256(r.refundTo)));
        uint256 amount = Amounts.toLocal(r.wireAmount, cfg.localDecimals, cfg.sharedDecimals);
        _credit(token, cfg.mode, to, amount);
        emit TransferRefunded(r.messageId, token, to, amount);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Configuration (owner)
    // ------------------------------------------------------------------------------------------------------------

    /// @notice Sets the TokenBridge on `domain` (left-padded); zero closes the route in both directions.
    /// @dev Moves the inbound word of every token with inbound state on `domain` to the new bridge's key, keeping
    ///      links and bucket state (gas grows with the number of such tokens; owner-only and rare).
    function setRemoteBridge(uint32 domain, bytes32 bridge) external onlyOwner {
        _checkDomain(domain);
        bytes32 previous = remoteBridge[domain];
        if (previous != bridge) {
            EnumerableSet.AddressSet storage tokens = _inboundTokens[domain];
            uint256 n = tokens.length();
            for (uint256 i; i < n; ++i) {
                address token = tokens.at(i);
                bytes32 oldKey = inboundRouteKey(token, domain, previous);
                InboundRoute route = _inbound[oldKey];
                _inbound[oldKey] = InboundRoute.wrap(0);
                _inbound[inboundRouteKey(token, domain, bridge)] = route;
            }
        }
        remoteBridge[domain] = bridge;
        emit RemoteBridgeSet(domain, bridge);
    }

    /// @notice Declares whether `domain`'s TokenBridge accepts distributions (kind 2): the Solana program does, an
    ///         EVM TokenBridge does not. `transferDistribution` refuses other destinations, so no tokens are taken
    ///         for a payload the destination can never accept.
    function setClaimsCapable(uint32 domain, bool enabled) external onlyOwner {
        _checkDomain(domain);
        claimsCapable[domain] = enabled;
        emit ClaimsCapableSet(domain, enabled);
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
        if (mode == MODE_MINT && IBridgedToken(token).bridge() != address(this)) revert NotBridgeMintable(token);
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
            address linked = localTokenOf[remoteDomain][remoteToken_];
            if (linked != address(0) && linked != token) {
                revert RemoteTokenAlreadyLinked(remoteDomain, remoteToken_, linked);
            }
        }
        bytes32 previous = remoteToken[token][remoteDomain];
        if (previous != bytes32(0)) delete localTokenOf[remoteDomain][previous];
        remoteToken[token][remoteDomain] = remoteToken_;
        if (remoteToken_ != bytes32(0)) localTokenOf[remoteDomain][remoteToken_] = token;
        // The inbound word keeps its bucket; only the linked flag (and the permanent mode/scale) change.
        bytes32 key = inboundRouteKey(token, remoteDomain, remoteBridge[remoteDomain]);
        InboundRoute route = _inbound[key];
        _inbound[key] = remoteToken_ == bytes32(0)
            ? route.unlink()
            : route.link(cfg.mode, cfg.localDecimals - cfg.sharedDecimals);
        _inboundTokens[remoteDomain].add(token);
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
        bytes32 key = inboundRouteKey(token, remoteDomain, remoteBridge[remoteDomain]);
        // InboundRoute.configure, called directly (through the wrapper the optimiser lays out the shared bucket code
        // differently and every transfer and delivery costs 3 gas more, bench/gas).
        _inbound[key] = InboundRoute.wrap(
            RateLimit.configurePacked(InboundRoute.unwrap(_inbound[key]), inCapacity, inRefillPerSecond, block.timestamp)
        );
        _inboundTokens[remoteDomain].add(token);
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
        return _inbound[inboundRouteKey(token, domain, remoteBridge[domain])].available(block.timestamp);
    }

    /// @notice The inbound bucket of (token, domain), as stored (not refilled).
    function inboundBucket(address token, uint32 domain)
        external
        view
        returns (uint64 level, uint64 capacity, uint64 refillPerSecond, uint40 lastUpdated)
    {
        RateLimit.Bucket memory b = _inbound[inboundRouteKey(token, domain, remoteBridge[domain])].bucket();
        return (b.level, b.capacity, b.refillPerSecond, b.lastUpdated);
    }

    /// @notice Inbound lookup by remote token: the local token `remoteToken_` on `domain` is linked to, and its
    ///         registration (all zero if none).
    function inboundRoute(uint32 domain, bytes32 remoteToken_)
        external
        view
        returns (address token, uint8 mode, uint8 localDecimals, uint8 sharedDecimals)
    {
        token = localTokenOf[domain][remoteToken_];
        if (token == address(0)) return (token, 0, 0, 0);
        TokenConfig memory cfg = tokenConfig[token];
        return (token, cfg.mode, cfg.localDecimals, cfg.sharedDecimals);
    }

    /// @notice The inbound route word of (token, origin, origin-side sender): bucket, scale, mode and linked flag
    ///         (the InboundRoute word, layout in src/types/InboundRoute.sol). Zero if nothing is configured.
    function inboundRouteWord(address token, uint32 origin, bytes32 sender) external view returns (uint256) {
        return InboundRoute.unwrap(_inbound[inboundRouteKey(token, origin, sender)]);
    }

    /// @notice Storage key of the inbound word of (token, origin, sender): `keccak256(abi.encode(token, origin,
    ///         sender))`.
    function inboundRouteKey(address token, uint32 origin, bytes32 sender) public pure returns (bytes32) {
        return _routeKey(bytes32(uint256(uint160(token))), origin, sender);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------------------------

    /// @dev Checks the token route, normalises `amount`, consumes the outbound bucket and takes the dust-free
    ///      amount from the caller: lock with an exact balance-delta check, or burn.
    function _take(address token, uint32 destination, uint256 amount)
        private
        returns (uint64 wire, uint256 taken, bytes32 destinationToken)
    {
        TokenConfig memory cfg = tokenConfig[token];
        if (!cfg.registered) revert TokenNotRegistered(token);
        destinationToken = remoteToken[token][destination];
        if (destinationToken == bytes32(0)) revert TokenNotLinked(token, destination);

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
            IBridgedToken(token).burn(msg.sender, taken);
        }
    }

    /// @dev Sends through the Gateway with all of `msg.value` and forwards the Gateway's refund to the caller.
    function _dispatch(uint32 destination, bytes32 bridge, bytes memory payload) private returns (bytes32 messageId) {
        uint256 baseline = address(this).balance - msg.value;
        messageId = gateway.send{value: msg.value}(destination, bridge, payload);
        uint256 overpaid = address(this).balance - baseline;
        if (overpaid != 0) {
            (bool sent,) = msg.sender.call{value: overpaid}("");
            if (!sent) revert RefundFailed(msg.sender, overpaid);
        }
    }

    function _credit(address token, uint8 mode, address to, uint256 amount) private {
        if (mode == MODE_LOCK) {
            IERC20(token).safeTransfer(to, amount);
        } else {
            IBridgedToken(token).mint(to, amount);
        }
    }

    /// @dev Queues an inbound transfer the inbound bucket cannot take now, with its message's nonce and id.
    function _queue(
        address token,
        uint32 origin,
        bytes32 sender,
        bytes calldata payload,
        uint64 wire,
        address to,
        uint256 amount
    ) private {
        (bytes32 messageId, uint64 nonce) = _deliveringMessage(origin, sender, payload);
        uint256 queueId = nextQueueId++;
        queuedTransfer[queueId] = QueuedTransfer({
            token: token,
            origin: origin,
            wireAmount: wire,
            recipient: to,
            nonce: nonce,
            messageId: messageId
        });
        emit TransferQueued(queueId, origin, token, to, amount);
    }

    /// @dev Records an inbound transfer that will never be credited here; its value stays held.
    function _recordRefundable(bytes32 messageId, address token, uint32 origin, uint64 nonce, uint64 wire, uint8 reason)
        private
    {
        refundRecord[messageId] =
            RefundRecord({token: token, origin: origin, wireAmount: wire, nonce: nonce, reason: reason});
        emit TransferRefundable(messageId, origin, nonce, token, wire, reason);
    }

    /// @dev Nonce and id of the message the Gateway is delivering to `handle`: the Gateway exposes the nonce
    ///      (`deliveringNonce`, transient), and the rest of the message is `handle`'s arguments (destination = this
    ///      domain, recipient = this bridge). Read before any external call of our own.
    function _deliveringMessage(uint32 origin, bytes32 sender, bytes calldata payload)
        private
        view
        returns (bytes32 messageId, uint64 nonce)
    {
        nonce = gateway.deliveringNonce();
        messageId = keccak256(
            Message.encode(nonce, origin, sender, gateway.localDomain(), _toBytes32(address(this)), payload)
        );
    }

    function _whenNotPaused() private view {
        if (gateway.paused()) revert EnforcedPause();
    }

    /// @dev `keccak256(abi.encode(token, origin, sender))` without memory allocation.
    function _routeKey(bytes32 token, uint32 originDomain, bytes32 sender) private pure returns (bytes32 key) {
        assembly ("memory-safe") {
            let fmp := mload(0x40)
            mstore(0x00, token)
            mstore(0x20, originDomain)
            mstore(0x40, sender)
            key := keccak256(0x00, 0x60)
            mstore(0x40, fmp)
        }
    }

    /// @dev Cold path of `handle`: tells a wrong sender from an unlinked token.
    function _revertUnknownRoute(uint32 origin, bytes32 sender, bytes32 token) private view {
        bytes32 expected = remoteBridge[origin];
        if (sender != expected || expected == bytes32(0)) revert UnknownRemoteBridge(origin, sender);
        revert UnknownRemoteToken(origin, token);
    }

    function _checkDomain(uint32 domain) private view {
        if (domain == 0 || domain == gateway.localDomain()) revert InvalidDomain(domain);
    }

    function _toBytes32(address a) private pure returns (bytes32) {
        return bytes32(uint256(uint160(a)));
    }
}
