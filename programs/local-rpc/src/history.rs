//! In-memory transaction history: every committed transaction with its execution metadata, indexed by
//! signature and by every account it references (for getSignaturesForAddress).

use {
    solana_clock::{Slot, UnixTimestamp},
    solana_hash::Hash,
    solana_message::inner_instruction::InnerInstructionsList,
    solana_pubkey::Pubkey,
    solana_signature::Signature,
    solana_transaction::versioned::VersionedTransaction,
    solana_transaction_context::TransactionReturnData,
    solana_transaction_error::TransactionError,
    std::collections::{BTreeMap, HashMap},
};

#[derive(Clone, Debug)]
pub struct TxRecord {
    pub signature: Signature,
    pub slot: Slot,
    pub block_time: UnixTimestamp,
    pub transaction: VersionedTransaction,
    /// Static keys followed by lookup-table-loaded writable then readonly keys.
    pub account_keys: Vec<Pubkey>,
    pub writable: Vec<bool>,
    pub signer: Vec<bool>,
    pub loaded_writable: Vec<Pubkey>,
    pub loaded_readonly: Vec<Pubkey>,
    pub err: Option<TransactionError>,
    pub logs: Vec<String>,
    pub inner_instructions: InnerInstructionsList,
    pub return_data: Option<TransactionReturnData>,
    pub fee: u64,
    pub compute_units: u64,
    pub pre_balances: Vec<u64>,
    pub post_balances: Vec<u64>,
    /// `UiTransactionTokenBalance` JSON objects.
    pub pre_token_balances: Vec<serde_json::Value>,
    pub post_token_balances: Vec<serde_json::Value>,
}

/// A finished slot.
#[derive(Clone, Debug)]
pub struct Block {
    pub slot: Slot,
    pub parent_slot: Slot,
    pub blockhash: Hash,
    pub previous_blockhash: Hash,
    pub block_height: u64,
    pub block_time: UnixTimestamp,
}

#[derive(Default)]
pub struct History {
    records: Vec<TxRecord>,
    by_signature: HashMap<Signature, usize>,
    by_address: HashMap<Pubkey, Vec<usize>>,
    by_slot: HashMap<Slot, Vec<usize>>,
    blocks: BTreeMap<Slot, Block>,
}

impl History {
    pub fn insert(&mut self, record: TxRecord) {
        let index = self.records.len();
        self.by_signature.insert(record.signature, index);
        self.by_slot.entry(record.slot).or_default().push(index);
        for key in &record.account_keys {
            let list = self.by_address.entry(*key).or_default();
            if list.last() != Some(&index) {
                list.push(index);
            }
        }
        self.records.push(record);
    }

    pub fn record_block(&mut self, block: Block) {
        self.blocks.insert(block.slot, block);
    }

    pub fn block(&self, slot: Slot) -> Option<&Block> {
        self.blocks.get(&slot)
    }

    /// Finished slots in `start..=end`, ascending, at most `limit`.
    pub fn block_slots(&self, start: Slot, end: Slot, limit: usize) -> Vec<Slot> {
        if start > end {
            return Vec::new();
        }
        self.blocks.range(start..=end).map(|(slot, _)| *slot).take(limit).collect()
    }

    pub fn first_block(&self) -> Option<Slot> {
        self.blocks.keys().next().copied()
    }

    /// Transactions committed in `slot`, in order.
    pub fn in_slot(&self, slot: Slot) -> Vec<&TxRecord> {
        self.by_slot.get(&slot).map(|list| list.iter().map(|&i| &self.records[i]).collect()).unwrap_or_default()
    }

    pub fn get(&self, signature: &Signature) -> Option<&TxRecord> {
        self.by_signature.get(signature).map(|&i| &self.records[i])
    }

    /// Transactions referencing `address`, newest first, strictly older than `before` (if given and
    /// known), stopping before `until` (if given), at most `limit`.
    pub fn for_address(
        &self,
        address: &Pubkey,
        before: Option<&Signature>,
        until: Option<&Signature>,
        limit: usize,
    ) -> Vec<&TxRecord> {
        let Some(list) = self.by_address.get(address) else {
            return Vec::new();
        };
        let before_index = match before {
            None => None,
            // An unknown `before` signature has no position in the history: nothing is older.
            Some(s) => match self.by_signature.get(s) {
                Some(&i) => Some(i),
                None => return Vec::new(),
            },
        };
        let until_index = until.and_then(|s| self.by_signature.get(s)).copied();
        list.iter()
            .rev()
            .copied()
            .filter(|&i| before_index.is_none_or(|b| i < b))
            .take_while(|&i| until_index.is_none_or(|u| i > u))
            .take(limit)
            .map(|i| &self.records[i])
            .collect()
    }
}
