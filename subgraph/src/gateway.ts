// Gateway handlers: the message lifecycle and the attester set events, as indexer/src/index.ts's Gateway handlers.
import { BigInt, ByteArray, Bytes, crypto, ethereum, store } from "@graphprotocol/graph-ts";
import {
  AttesterSetRotated,
  AttesterSlashed,
  EmergencyRotationCancelled,
  EmergencyRotationProposed,
  Gateway,
  MessageDelivered,
  MessageFailed,
  MessageRetried,
  MessageSent,
  MessageSkipped,
} from "../generated/Gateway/Gateway";
import {
  AttesterSet,
  AttesterStats,
  BridgeToken,
  EmergencyRotation,
  Message,
  PendingLeg,
  QueuedTransfer,
  Slashing,
  TokenTransfer,
} from "../generated/schema";
import { bytes32ToAddress, decodeAttestation, decodeMessage, decodeTokenMessage, slice } from "./codec";
import { jsonString, loadMessage, recordStep, saveMessage } from "./lifecycle";
import { domain, tokenBridge } from "./network";

const TUPLE_OFFSET = Bytes.fromHexString("0x0000000000000000000000000000000000000000000000000000000000000020");

function selector(signature: string): Bytes {
  return changetype<Bytes>(crypto.keccak256(ByteArray.fromUTF8(signature)).subarray(0, 4));
}

/** What a delivery transaction's calldata tells about message `id`: its bytes and the attestation's set and signers. */
class DeliveryCall {
  message: Bytes | null = null;
  attesterSetId: BigInt | null = null;
  signerCount: i32 = 0;
  signerIndexes: i32[] = [];
}

function deliveryCall(input: Bytes, id: Bytes): DeliveryCall {
  const call = new DeliveryCall();
  if (input.length < 4) return call;
  const head = slice(input, 0, 4);
  // ethereum.decode reads a tuple with dynamic members as one ABI parameter, which starts with its offset (0x20);
  // calldata arguments have none, so it is prepended (graph-ts's documented idiom for decoding calldata).
  const args = TUPLE_OFFSET.concat(slice(input, 4, input.length));
  if (head.equals(selector("deliver(bytes,bytes)"))) {
    const decoded = ethereum.decode("(bytes,bytes)", args);
    if (decoded === null) return call;
    const tuple = decoded.toTuple();
    const raw = tuple[0].toBytes();
    if (!changetype<Bytes>(crypto.keccak256(raw)).equals(id)) return call;
    call.message = raw;
    const attestation = decodeAttestation(tuple[1].toBytes());
    if (attestation !== null) {
      call.attesterSetId = attestation.attesterSetId;
      call.signerCount = attestation.signerIndexes.length;
      call.signerIndexes = attestation.signerIndexes;
    }
  } else if (head.equals(selector("retry(bytes)"))) {
    const decoded = ethereum.decode("(bytes)", args);
    if (decoded === null) return call;
    const raw = decoded.toTuple()[0].toBytes();
    if (changetype<Bytes>(crypto.keccak256(raw)).equals(id)) call.message = raw;
  }
  return call;
}

function hex(b: Bytes): string {
  return b.toHexString();
}

// ------------------------------------------------------------------------------------------------------------------
// Messages

export function handleMessageSent(event: MessageSent): void {
  const id = event.params.messageId;
  const at = event.block.timestamp;
  const m = loadMessage(id, at);
  const raw = event.params.message;
  const decoded = decodeMessage(raw);
  if (decoded !== null) {
    m.originDomain = decoded.originDomain;
    m.destinationDomain = decoded.destinationDomain;
    m.nonce = decoded.nonce;
    m.sender = decoded.sender;
    m.recipient = decoded.recipient;
    m.payloadLength = decoded.payload.length;
    // A transfer's user-level sender is the token bridge's `from` (TransferSent), not the bridge itself.
    if (m.kind == "message") m.senderAddress = bytes32ToAddress(decoded.sender);
  }
  m.sentAt = at;
  m.sentBlock = event.block.number;
  m.sentTx = event.transaction.hash;
  saveMessage(m, at, "sent");
  recordStep(event, id, "sent", '{"nonce":' + jsonString(event.params.nonce.toString()) + "}");
}

function setMessageFields(m: Message, raw: Bytes | null): void {
  if (raw === null || m.sentAt !== null) return;
  const decoded = decodeMessage(raw);
  if (decoded === null) return;
  m.originDomain = decoded.originDomain;
  m.destinationDomain = decoded.destinationDomain;
  m.nonce = decoded.nonce;
  m.sender = decoded.sender;
  m.recipient = decoded.recipient;
  m.senderAddress = bytes32ToAddress(decoded.sender);
  m.payloadLength = decoded.payload.length;
}

/** A transfer credited at once emits nothing of its own: its leg is the delivered message's token message. */
function creditedLeg(id: Bytes, raw: Bytes, at: BigInt): void {
  const decoded = decodeMessage(raw);
  if (decoded === null) return;
  const bridge = bytes32ToAddress(decoded.recipient);
  if (bridge === null || hex(bridge) != tokenBridge()) return;
  const tm = decodeTokenMessage(decoded.payload);
  if (tm === null) return;
  const token = bytes32ToAddress(tm.token);
  const recipient = bytes32ToAddress(tm.recipient);
  if (token === null || recipient === null) return; // refundable: TransferRefundable records it
  let t = TokenTransfer.load(id);
  if (t == null) t = new TokenTransfer(id);
  t.destinationToken = token;
  t.destinationRecipient = recipient;
  t.destinationStatus = "received";
  const registered = BridgeToken.load(hex(token));
  t.receivedAmount =
    registered == null
      ? null
      : tm.amount.times(BigInt.fromI32(10).pow((registered.localDecimals - registered.sharedDecimals) as u8));
  t.receivedAt = at;
  t.wireAmount = tm.amount;
  t.save();
}

export function handleMessageDelivered(event: MessageDelivered): void {
  const id = event.params.messageId;
  const at = event.block.timestamp;
  const call = deliveryCall(event.transaction.input, id);
  const legKey = hex(event.transaction.hash);
  const leg = PendingLeg.load(legKey);
  let status = "delivered";
  const message = call.message;
  if ((leg == null || leg.kind == "release") && message !== null) creditedLeg(id, message, at);
  if (leg != null && leg.kind != "release") {
    const queued = leg.kind == "queued";
    status = queued ? "queued" : "delivered";
    let t = TokenTransfer.load(id);
    if (t == null) {
      t = new TokenTransfer(id);
    }
    t.destinationToken = leg.token;
    t.destinationRecipient = leg.recipient;
    t.destinationStatus = queued ? "queued" : "received";
    if (queued) {
      t.queueId = leg.queueId;
    } else {
      t.receivedAmount = leg.amount;
      t.receivedAt = at;
    }
    t.save();
    const queueId = leg.queueId;
    if (queued && queueId !== null) {
      const entry = QueuedTransfer.load(queueId.toString());
      if (entry != null) {
        entry.messageId = id;
        entry.save();
      }
    }
    store.remove("PendingLeg", legKey);
  }
  const m = loadMessage(id, at);
  setMessageFields(m, message);
  m.originDomain = event.params.origin.toI32();
  m.destinationDomain = domain();
  m.nonce = event.params.nonce;
  const setId = call.attesterSetId;
  if (setId !== null) {
    if (m.attestedAt === null) m.attestedAt = at;
    m.attesterSetId = setId;
    m.signerCount = call.signerCount;
  }
  m.deliveredAt = at;
  m.deliveredBlock = event.block.number;
  m.deliveredTx = event.transaction.hash;
  if (status == "queued") m.queuedAt = at;
  saveMessage(m, at, status);
  if (setId !== null) creditSigners(setId, call.signerIndexes);
  recordStep(
    event,
    id,
    status,
    '{"attesterSetId":' +
      (setId === null ? "null" : jsonString(setId.toString())) +
      ',"signers":' +
      call.signerCount.toString() +
      "}",
  );
}

function statsOf(attester: Bytes): AttesterStats {
  let stats = AttesterStats.load(hex(attester));
  if (stats == null) {
    stats = new AttesterStats(hex(attester));
    stats.domain = domain();
    stats.attester = attester;
    stats.setsJoined = 0;
    stats.signedDeliveries = 0;
    stats.slashed = 0;
  }
  return stats;
}

/** Counts one co-signed delivery for each signer of the attestation, by the set's recorded members. */
function creditSigners(setId: BigInt, indexes: i32[]): void {
  const set = AttesterSet.load(setId.toString());
  if (set == null) return;
  const members = set.members;
  if (members === null) return;
  for (let i = 0; i < indexes.length; i++) {
    const index = indexes[i];
    if (index >= members.length) continue;
    const stats = statsOf(members[index]);
    stats.signedDeliveries = stats.signedDeliveries + 1;
    stats.save();
  }
}

export function handleMessageFailed(event: MessageFailed): void {
  const id = event.params.messageId;
  const at = event.block.timestamp;
  const call = deliveryCall(event.transaction.input, id);
  const m = loadMessage(id, at);
  setMessageFields(m, call.message);
  m.originDomain = event.params.origin.toI32();
  m.destinationDomain = domain();
  m.nonce = event.params.nonce;
  const setId = call.attesterSetId;
  if (setId !== null) {
    if (m.attestedAt === null) m.attestedAt = at;
    m.attesterSetId = setId;
    m.signerCount = call.signerCount;
  }
  m.failedAt = at;
  m.failureReason = event.params.reason;
  m.failCount = m.failCount + 1;
  saveMessage(m, at, "failed");
  recordStep(event, id, "failed", '{"reason":' + jsonString(hex(event.params.reason)) + "}");
}

export function handleMessageRetried(event: MessageRetried): void {
  const id = event.params.messageId;
  const at = event.block.timestamp;
  const m = loadMessage(id, at);
  m.retryCount = m.retryCount + 1;
  m.retriedAt = at;
  saveMessage(m, at, "");
  recordStep(event, id, "retried", "");
}

export function handleMessageSkipped(event: MessageSkipped): void {
  const id = event.params.messageId;
  const m = loadMessage(id, event.block.timestamp);
  m.skipCount = m.skipCount + 1;
  saveMessage(m, event.block.timestamp, "");
  recordStep(event, id, "skipped", "");
}

// ------------------------------------------------------------------------------------------------------------------
// Attester sets

export function handleAttesterSetRotated(event: AttesterSetRotated): void {
  const setId = event.params.setId;
  let kind = "genesis";
  if (!setId.equals(BigInt.fromI32(1))) {
    const input = event.transaction.input;
    kind =
      input.length >= 4 && slice(input, 0, 4).equals(selector("executeEmergencyRotation(address[],uint96[],uint16)"))
        ? "emergency"
        : "rotation";
  }
  const set = new AttesterSet(setId.toString());
  set.domain = domain();
  set.setId = setId;
  set.setHash = event.params.setHash;
  set.kind = kind;
  set.installedAt = event.block.timestamp;
  set.installedBlock = event.block.number;
  set.tx = event.transaction.hash;
  set.previousSetExpiresAt = event.params.previousSetExpiresAt;
  // The members, as the Ponder indexer reads them: getSet at the event's block.
  const read = Gateway.bind(event.address).try_getSet(setId);
  if (!read.reverted) {
    const attesters = read.value.value0;
    const members: Bytes[] = [];
    for (let i = 0; i < attesters.length; i++) members.push(attesters[i]);
    set.members = members;
    set.memberCount = members.length;
    set.thresholdBps = read.value.value2;
    for (let i = 0; i < members.length; i++) {
      const stats = statsOf(members[i]);
      stats.setsJoined = stats.setsJoined + 1;
      stats.lastSetId = setId;
      stats.save();
    }
  }
  set.save();
  const proposal = EmergencyRotation.load(hex(event.params.setHash));
  if (proposal != null && proposal.status == "proposed") {
    proposal.status = "executed";
    proposal.setId = setId;
    proposal.closedAt = event.block.timestamp;
    proposal.save();
  }
}

export function handleEmergencyRotationProposed(event: EmergencyRotationProposed): void {
  const key = hex(event.params.setHash);
  let proposal = EmergencyRotation.load(key);
  if (proposal == null) {
    proposal = new EmergencyRotation(key);
    proposal.domain = domain();
    proposal.setHash = event.params.setHash;
  }
  proposal.setId = event.params.setId;
  proposal.executableAt = event.params.executableAt;
  proposal.proposedAt = event.block.timestamp;
  proposal.status = "proposed";
  proposal.closedAt = null;
  proposal.save();
}

export function handleEmergencyRotationCancelled(event: EmergencyRotationCancelled): void {
  const proposal = EmergencyRotation.load(hex(event.params.setHash));
  if (proposal == null) return;
  proposal.status = "cancelled";
  proposal.closedAt = event.block.timestamp;
  proposal.save();
}

export function handleAttesterSlashed(event: AttesterSlashed): void {
  const attester = event.params.attester;
  const s = new Slashing(hex(event.transaction.hash) + "-" + event.logIndex.toString());
  s.domain = domain();
  s.attester = attester;
  s.messageIdA = event.params.messageIdA;
  s.messageIdB = event.params.messageIdB;
  s.digestA = event.params.digestA;
  s.digestB = event.params.digestB;
  s.reporter = event.transaction.from;
  s.at = event.block.timestamp;
  s.tx = event.transaction.hash;
  s.save();
  const stats = statsOf(attester);
  stats.slashed = stats.slashed + 1;
  stats.lastSlashedAt = event.block.timestamp;
  stats.save();
}
