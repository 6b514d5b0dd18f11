use maskoii::protocol::attestation::AttestationKind;
use maskoii::protocol::message;
use maskoii::state::Receipt;

use crate::common::*;

#[tokio::test]
async fn test_deliver_calls_recipient_and_records_receipt() {
    let mut env = setup(5, 6000).await;
    let msg = inbound(0, b"hello");
    let id = message::id(&msg);
    deliver_with_quorum(&mut env, &msg, &[0, 2, 4]).await.unwrap();

    let receipt: Receipt = account(&mut env, receipt_pda(&id)).await;
    assert_eq!(receipt.message_id, id);
    assert_eq!(receipt.origin_domain, REMOTE_DOMAIN);
    assert_eq!(receipt.nonce, 0);
    let store = env.ctx.banks_client.get_account(env.store).await.unwrap().unwrap();
    let len = u32::from_le_bytes(store.data[..4].try_into().unwrap()) as usize;
    let body = &store.data[4..4 + len];
    assert_eq!(&body[..4], &REMOTE_DOMAIN.to_le_bytes());
    assert_eq!(&body[4..36], &msg[13..45]);
    assert_eq!(&body[36..40], &5u32.to_le_bytes());
    assert_eq!(&body[40..], b"hello");
}
