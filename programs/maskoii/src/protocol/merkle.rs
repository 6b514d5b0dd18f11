//! Batch Merkle tree over message ids (docs/protocol.md §5): leaf = keccak256(messageId), sorted-pair inner nodes,
//! odd last node carried up unchanged.

/// The leaf of a message id (a 32-byte preimage, so no 64-byte inner node can pass as a leaf).
pub fn leaf(message_id: &[u8; 32]) -> [u8; 32] {
    super::keccak(&[message_id])
}

/// `keccak256(min(a, b) ‖ max(a, b))`.
pub fn hash_pair(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    if a <= b {
        super::keccak(&[a, b])
    } else {
        super::keccak(&[b, a])
    }
}

/// The root implied by `message_id` and its sibling list `proof` (OpenZeppelin `processProof`).
pub fn root_of(message_id: &[u8; 32], proof: &[[u8; 32]]) -> [u8; 32] {
    proof.iter().fold(leaf(message_id), |node, sibling| hash_pair(&node, sibling))
}

/// The root of a whole batch (zero for an empty batch).
pub fn root(message_ids: &[[u8; 32]]) -> [u8; 32] {
    if message_ids.is_empty() {
        return [0u8; 32];
    }
    let mut level: Vec<[u8; 32]> = message_ids.iter().map(leaf).collect();
    while level.len() > 1 {
        level = next_level(&level);
    }
    level[0]
}

/// The proof (siblings from leaf to root) for leaf `index` of the batch.
pub fn proof(message_ids: &[[u8; 32]], mut index: usize) -> Vec<[u8; 32]> {
    let mut level: Vec<[u8; 32]> = message_ids.iter().map(leaf).collect();
    let mut out = Vec::new();
    while level.len() > 1 {
        let sibling = index ^ 1;
        if sibling < level.len() {
            out.push(level[sibling]);
        }
        level = next_level(&level);
        index /= 2;
    }
    out
}

fn next_level(level: &[[u8; 32]]) -> Vec<[u8; 32]> {
    level.chunks(2).map(|pair| if pair.len() == 2 { hash_pair(&pair[0], &pair[1]) } else { pair[0] }).collect()
}
