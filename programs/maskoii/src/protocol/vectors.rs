//! Checks every encoding of this module against `test/vectors/protocol.json` (docs/protocol.md §10), byte for byte.

use serde_json::Value;

use super::attestation::{self, AttestationKind};
use super::signature::{self, QuorumProgress};
use super::{attester_set, keccak, merkle, message, refund, token};
use crate::errors::MaskoiiError;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test/vectors/protocol.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("read protocol.json")).expect("parse protocol.json")
}

fn hex(s: &Value) -> Vec<u8> {
    let s = s.as_str().expect("hex string");
    let s = s.strip_prefix("0x").expect("0x prefix");
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn h32(s: &Value) -> [u8; 32] {
    hex(s).try_into().expect("32 bytes")
}

fn h20(s: &Value) -> [u8; 20] {
    hex(s).try_into().expect("20 bytes")
}

/// Integers that may exceed 2^53 are decimal strings; small ones are JSON numbers.
fn int(v: &Value) -> u128 {
    match v {
        Value::String(s) => s.parse().expect("decimal string"),
        Value::Number(n) => n.as_u64().expect("unsigned") as u128,
        _ => panic!("not an integer: {v}"),
    }
}

fn name(e: MaskoiiError) -> String {
    format!("{e:?}")
}

fn kind_of(s: &str) -> AttestationKind {
    match s {
        "message" => AttestationKind::Message,
        "batch" => AttestationKind::Batch,
        "rotation" => AttestationKind::Rotation,
        "refund" => AttestationKind::Refund,
        _ => panic!("unknown kind {s}"),
    }
}

#[test]
fn constants_match() {
    let v = vectors();
    let c = &v["constants"];
    assert_eq!(keccak(&[attestation::DOMAIN_TYPE.as_bytes()]), h32(&c["domainTypehash"]));
    assert_eq!(attestation::DOMAIN_TYPE, c["domainTypeString"].as_str().unwrap());
    assert_eq!(keccak(&[b"maskoii"]), h32(&c["nameHash"]));
    assert_eq!(keccak(&[b"1"]), h32(&c["versionHash"]));
    assert_eq!(attestation::DOMAIN_TYPEHASH, h32(&c["domainTypehash"]));
    assert_eq!(attestation::NAME_HASH, h32(&c["nameHash"]));
    assert_eq!(attestation::VERSION_HASH, h32(&c["versionHash"]));
    assert_eq!(
        keccak(&[&attestation::DOMAIN_TYPEHASH, &attestation::NAME_HASH, &attestation::VERSION_HASH]),
        h32(&c["domainSeparator"])
    );
    assert_eq!(attestation::DOMAIN_SEPARATOR, h32(&c["domainSeparator"]));
    for (ty, string_key, hash_key, constant) in [
        (attestation::MESSAGE_TYPE, "messageTypeString", "messageTypehash", attestation::MESSAGE_TYPEHASH),
        (attestation::BATCH_TYPE, "batchTypeString", "batchTypehash", attestation::BATCH_TYPEHASH),
        (attestation::ROTATION_TYPE, "rotationTypeString", "rotationTypehash", attestation::ROTATION_TYPEHASH),
        (attestation::REFUND_TYPE, "refundTypeString", "refundTypehash", attestation::REFUND_TYPEHASH),
    ] {
        assert_eq!(ty, c[string_key].as_str().unwrap());
        assert_eq!(keccak(&[ty.as_bytes()]), h32(&c[hash_key]));
        assert_eq!(constant, h32(&c[hash_key]));
    }
}

#[test]
fn messages_encode_and_decode() {
    let v = vectors();
    let list = v["messages"].as_array().unwrap();
    assert!(!list.is_empty());
    for m in list {
        let encoded = message::encode(
            int(&m["nonce"]) as u64,
            int(&m["originDomain"]) as u32,
            &h32(&m["sender"]),
            int(&m["destinationDomain"]) as u32,
            &h32(&m["recipient"]),
            &hex(&m["payload"]),
        )
        .unwrap();
        assert_eq!(encoded, hex(&m["encoded"]), "{}", m["name"]);
        assert_eq!(message::id(&encoded), h32(&m["id"]), "{}", m["name"]);
        let view = message::decode(&encoded).unwrap();
        assert_eq!(view.nonce as u128, int(&m["nonce"]));
        assert_eq!(view.origin_domain as u128, int(&m["originDomain"]));
        assert_eq!(view.sender, h32(&m["sender"]));
        assert_eq!(view.destination_domain as u128, int(&m["destinationDomain"]));
        assert_eq!(view.recipient, h32(&m["recipient"]));
        assert_eq!(view.payload, &hex(&m["payload"])[..]);
        assert_eq!(int(&m["version"]), 1);
    }
}

#[test]
fn malformed_messages_fail_with_the_named_error() {
    let v = vectors();
    let list = v["malformedMessages"].as_array().unwrap();
    assert!(!list.is_empty());
    for m in list {
        let err = message::decode(&hex(&m["encoded"])).unwrap_err();
        assert_eq!(name(err), m["error"].as_str().unwrap(), "{}", m["name"]);
    }
    // `encode` rejects an over-long payload too.
    let err = message::encode(0, 1, &[0; 32], 2, &[0; 32], &[0u8; 4097]).unwrap_err();
    assert_eq!(err, MaskoiiError::PayloadTooLong);
}

#[test]
fn address_padding() {
    let v = vectors();
    for a in v["addressPadding"].as_array().unwrap() {
        assert_eq!(message::address_to_bytes32(&h20(&a["address"])), h32(&a["bytes32"]));
    }
}

#[test]
fn digests() {
    let v = vectors();
    let list = v["digests"].as_array().unwrap();
    assert!(!list.is_empty());
    for d in list {
        let kind = kind_of(d["kind"].as_str().unwrap());
        assert_eq!(kind.type_hash(), h32(&d["typeHash"]));
        let domain = int(&d["domain"]) as u32;
        let set_id = int(&d["attesterSetId"]) as u64;
        let s = attestation::struct_hash(&kind.type_hash(), domain, &h32(&d["verifier"]), set_id, &h32(&d["value"]));
        assert_eq!(s, h32(&d["structHash"]));
        let digest = attestation::digest(&kind.type_hash(), domain, &h32(&d["verifier"]), set_id, &h32(&d["value"]));
        assert_eq!(digest, h32(&d["digest"]));
    }
}

struct SetVec {
    attesters: Vec<[u8; 20]>,
    weights: Vec<u128>,
    threshold_bps: u16,
}

fn set_of(a: &Value) -> SetVec {
    SetVec {
        attesters: a["attesters"].as_array().unwrap().iter().map(h20).collect(),
        weights: a["weights"].as_array().unwrap().iter().map(int).collect(),
        threshold_bps: int(&a["thresholdBps"]) as u16,
    }
}

#[test]
fn attestations_verify_and_weigh() {
    let v = vectors();
    let list = v["attestations"].as_array().unwrap();
    assert!(!list.is_empty());
    for a in list {
        let set = set_of(a);
        let kind = kind_of(a["kind"].as_str().unwrap());
        let digest = attestation::digest(
            &kind.type_hash(),
            int(&a["domain"]) as u32,
            &h32(&a["verifier"]),
            int(&a["attesterSetId"]) as u64,
            &h32(&a["value"]),
        );
        assert_eq!(digest, h32(&a["digest"]));
        let (set_id, entries) = signature::parse_attestation(&hex(&a["encoded"])).unwrap();
        assert_eq!(set_id as u128, int(&a["attesterSetId"]));
        let indices: Vec<u128> = a["signerIndices"].as_array().unwrap().iter().map(int).collect();
        assert_eq!(entries.iter().map(|e| e.index as u128).collect::<Vec<_>>(), indices);
        for (entry, sig) in entries.iter().zip(a["signatures"].as_array().unwrap()) {
            assert_eq!(entry.r, h32(&sig["r"]));
            assert_eq!(entry.s, h32(&sig["s"]));
            assert_eq!(entry.v as u128, int(&sig["v"]));
        }
        let total = attester_set::validate(1, set.threshold_bps, &set.attesters, &set.weights).unwrap();
        assert_eq!(total, int(&a["totalWeight"]));
        let mut progress = QuorumProgress::default();
        signature::check_signatures(&digest, &set.attesters, &set.weights, &entries, &mut progress).unwrap();
        assert_eq!(progress.signed_weight, int(&a["signedWeight"]), "{}", a["name"]);
        assert_eq!(signature::weight_of(&progress.signers, &set.weights), progress.signed_weight);
        let quorum = attester_set::meets_threshold(progress.signed_weight, total, set.threshold_bps);
        assert_eq!(quorum, a["quorum"].as_bool().unwrap(), "{}", a["name"]);

        // The same signatures in two chunks (as `post_signatures` receives them) give the same result.
        let mut chunked = QuorumProgress::default();
        let (first, second) = entries.split_at(entries.len() / 2);
        signature::check_signatures(&digest, &set.attesters, &set.weights, first, &mut chunked).unwrap();
        signature::check_signatures(&digest, &set.attesters, &set.weights, second, &mut chunked).unwrap();
        assert_eq!(chunked, progress);
    }
}

#[test]
fn malformed_attestations_fail_with_the_named_error() {
    let v = vectors();
    let attestations = v["attestations"].as_array().unwrap();
    let list = v["malformedAttestations"].as_array().unwrap();
    assert!(!list.is_empty());
    for m in list {
        let a = &attestations[int(&m["attestation"]) as usize];
        let set = set_of(a);
        let expected = m["error"].as_str().unwrap();
        let result = signature::parse_attestation(&hex(&m["encoded"])).and_then(|(_, entries)| {
            let mut progress = QuorumProgress::default();
            signature::check_signatures(&h32(&a["digest"]), &set.attesters, &set.weights, &entries, &mut progress)?;
            let total: u128 = set.weights.iter().sum();
            if attester_set::meets_threshold(progress.signed_weight, total, set.threshold_bps) {
                Ok(())
            } else {
                Err(MaskoiiError::InsufficientWeight)
            }
        });
        assert_eq!(name(result.unwrap_err()), expected, "{}", m["name"]);
    }
}

#[test]
fn below_threshold_attestation_is_insufficient() {
    let v = vectors();
    let a = v["attestations"].as_array().unwrap().iter().find(|a| !a["quorum"].as_bool().unwrap()).unwrap();
    let set = set_of(a);
    let (_, entries) = signature::parse_attestation(&hex(&a["encoded"])).unwrap();
    let mut progress = QuorumProgress::default();
    signature::check_signatures(&h32(&a["digest"]), &set.attesters, &set.weights, &entries, &mut progress).unwrap();
    let total: u128 = set.weights.iter().sum();
    assert!(!attester_set::meets_threshold(progress.signed_weight, total, set.threshold_bps));
}

#[test]
fn removed_signer_is_rejected() {
    let v = vectors();
    let a = &v["attestations"][0];
    let mut set = set_of(a);
    let (_, entries) = signature::parse_attestation(&hex(&a["encoded"])).unwrap();
    set.weights[entries[0].index as usize] = 0;
    let mut progress = QuorumProgress::default();
    let err = signature::check_signatures(&h32(&a["digest"]), &set.attesters, &set.weights, &entries, &mut progress)
        .unwrap_err();
    assert_eq!(err, MaskoiiError::SignerRemoved);
}

#[test]
fn merkle_roots_and_proofs() {
    let v = vectors();
    let list = v["merkle"].as_array().unwrap();
    assert!(!list.is_empty());
    for t in list {
        let ids: Vec<[u8; 32]> = t["messageIds"].as_array().unwrap().iter().map(h32).collect();
        assert_eq!(ids.len() as u128, int(&t["size"]));
        let leaves: Vec<[u8; 32]> = t["leaves"].as_array().unwrap().iter().map(h32).collect();
        assert_eq!(ids.iter().map(merkle::leaf).collect::<Vec<_>>(), leaves);
        let root = h32(&t["root"]);
        assert_eq!(merkle::root(&ids), root);
        for (i, p) in t["proofs"].as_array().unwrap().iter().enumerate() {
            let proof: Vec<[u8; 32]> = p.as_array().unwrap().iter().map(h32).collect();
            assert_eq!(merkle::proof(&ids, i), proof, "size {} leaf {i}", ids.len());
            assert_eq!(merkle::root_of(&ids[i], &proof), root);
        }
    }
    assert_eq!(merkle::root(&[]), [0u8; 32]);
}

#[test]
fn attester_set_hashes() {
    let v = vectors();
    let list = v["attesterSets"].as_array().unwrap();
    assert!(!list.is_empty());
    for s in list {
        let set = set_of(s);
        let set_id = int(&s["setId"]) as u64;
        attester_set::validate(set_id, set.threshold_bps, &set.attesters, &set.weights).unwrap();
        assert_eq!(attester_set::encode(set_id, set.threshold_bps, &set.attesters, &set.weights), hex(&s["encoded"]));
        assert_eq!(attester_set::hash(set_id, set.threshold_bps, &set.attesters, &set.weights), h32(&s["hash"]));
    }
}

#[test]
fn invalid_attester_sets_fail_with_the_named_error() {
    let v = vectors();
    let list = v["invalidAttesterSets"].as_array().unwrap();
    assert!(!list.is_empty());
    for s in list {
        let set = set_of(s);
        let err = attester_set::validate(int(&s["setId"]) as u64, set.threshold_bps, &set.attesters, &set.weights)
            .unwrap_err();
        assert_eq!(name(err), s["error"].as_str().unwrap(), "{}", s["name"]);
    }
}

#[test]
fn token_messages() {
    let v = vectors();
    for t in v["tokenMessages"].as_array().unwrap() {
        assert_eq!(int(&t["kind"]), 1);
        let encoded = token::encode(&h32(&t["token"]), &h32(&t["recipient"]), int(&t["amount"]) as u64);
        assert_eq!(encoded.to_vec(), hex(&t["encoded"]), "{}", t["name"]);
        let decoded = token::decode(&encoded).unwrap();
        assert_eq!(decoded.token, h32(&t["token"]));
        assert_eq!(decoded.recipient, h32(&t["recipient"]));
        assert_eq!(decoded.amount as u128, int(&t["amount"]));
    }
    for t in v["malformedTokenMessages"].as_array().unwrap() {
        let err = token::decode(&hex(&t["encoded"])).unwrap_err();
        assert_eq!(name(err), t["error"].as_str().unwrap(), "{}", t["name"]);
    }
}

#[test]
fn amounts() {
    let v = vectors();
    for a in v["amounts"].as_array().unwrap() {
        let (l, s) = (int(&a["localDecimals"]) as u8, int(&a["sharedDecimals"]) as u8);
        let (wire, dust) = token::to_shared(int(&a["amount"]), l, s).unwrap();
        assert_eq!(wire as u128, int(&a["wire"]), "{}", a["name"]);
        assert_eq!(dust, int(&a["dust"]), "{}", a["name"]);
        assert_eq!(int(&a["amount"]) - dust, int(&a["sent"]));
        assert_eq!(token::to_local(wire, l, s).unwrap(), int(&a["local"]), "{}", a["name"]);
    }
    let mut beyond_u128 = 0;
    for a in v["invalidAmounts"].as_array().unwrap() {
        let (l, s) = (int(&a["localDecimals"]) as u8, int(&a["sharedDecimals"]) as u8);
        let expected = a["error"].as_str().unwrap();
        match a["amount"].as_str().unwrap().parse::<u128>() {
            Ok(amount) => {
                let err = token::to_shared(amount, l, s).unwrap_err();
                assert_eq!(name(err), expected, "{}", a["name"]);
            }
            // An amount past u128 cannot exist on Solana (SPL amounts are u64); its only valid outcome is that
            // the wire amount overflows.
            Err(_) => {
                assert_eq!(expected, "AmountExceedsWireLimit", "{}", a["name"]);
                beyond_u128 += 1;
            }
        }
    }
    assert_eq!(beyond_u128, 1);
}

#[test]
fn refund_receipts() {
    let v = vectors();
    let list = v["refundReceipts"].as_array().unwrap();
    assert!(!list.is_empty());
    for r in list {
        let receipt = refund::RefundReceipt {
            message_id: h32(&r["messageId"]),
            origin_domain: int(&r["originDomain"]) as u32,
            nonce: int(&r["nonce"]) as u64,
            destination_domain: int(&r["destinationDomain"]) as u32,
            token: h32(&r["token"]),
            refund_to: h32(&r["refundTo"]),
            wire_amount: int(&r["wireAmount"]) as u64,
        };
        let encoded = refund::encode(&receipt);
        assert_eq!(encoded.to_vec(), hex(&r["encoded"]), "{}", r["name"]);
        assert_eq!(refund::decode(&encoded).unwrap(), receipt, "{}", r["name"]);
        let value = refund::hash(&encoded);
        assert_eq!(value, h32(&r["refundHash"]), "{}", r["name"]);
        // Verified on the origin: domain = the receipt's origin, kind 3.
        let kind = AttestationKind::Refund;
        let set_id = int(&r["attesterSetId"]) as u64;
        let verifier = h32(&r["verifier"]);
        let s = attestation::struct_hash(&kind.type_hash(), receipt.origin_domain, &verifier, set_id, &value);
        assert_eq!(s, h32(&r["structHash"]), "{}", r["name"]);
        let d = attestation::digest(&kind.type_hash(), receipt.origin_domain, &verifier, set_id, &value);
        assert_eq!(d, h32(&r["digest"]), "{}", r["name"]);
    }
}

#[test]
fn malformed_refund_receipts_fail_with_the_named_error() {
    let v = vectors();
    let list = v["malformedRefundReceipts"].as_array().unwrap();
    assert!(!list.is_empty());
    for r in list {
        let err = refund::decode(&hex(&r["encoded"])).unwrap_err();
        assert_eq!(name(err), r["error"].as_str().unwrap(), "{}", r["name"]);
    }
}
