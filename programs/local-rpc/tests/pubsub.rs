//! WebSocket subscriptions on port + 1, raw and through the official Rust PubsubClient.

mod common;

use {
    common::*,
    futures_util::{SinkExt, StreamExt},
    serde_json::{json, Value},
    solana_keypair::Keypair,
    solana_signer::Signer,
    std::time::Duration,
    tokio_tungstenite::tungstenite::Message,
};

const SOL: u64 = 1_000_000_000;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn send(socket: &mut Socket, value: Value) {
    socket.send(Message::Text(value.to_string().into())).await.unwrap();
}

/// Next JSON text message (bounded wait).
async fn next(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(20), socket.next())
            .await
            .expect("a message within 20 s")
            .expect("socket open")
            .expect("no socket error");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

/// Next message that is a notification of `method` (others are skipped, bounded).
async fn next_notification(socket: &mut Socket, method: &str) -> Value {
    for _ in 0..500 {
        let message = next(socket).await;
        if message["method"] == method {
            return message;
        }
    }
    panic!("no {method} among 500 messages");
}

async fn subscribe(socket: &mut Socket, id: u64, method: &str, params: Value) -> u64 {
    send(socket, json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})).await;
    let answer = next(socket).await;
    assert_eq!(answer["id"], id, "{answer}");
    answer["result"].as_u64().unwrap_or_else(|| panic!("{method}: {answer}"))
}

#[test]
fn test_websocket_subscriptions() {
    let server = Server::start(40);
    let ws_url = server.ready["wsUrl"].as_str().unwrap().to_string();
    let http_port = server.ready["port"].as_u64().unwrap();
    assert!(ws_url.ends_with(&format!(":{}", http_port + 1)), "WebSocket on port + 1: {ws_url}");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let (mut socket, _) = tokio_tungstenite::connect_async(ws_url.as_str()).await.unwrap();

        // Slots: consecutive, with parent and root.
        let slot_sub = subscribe(&mut socket, 1, "slotSubscribe", json!([])).await;
        let first = next_notification(&mut socket, "slotNotification").await;
        assert_eq!(first["params"]["subscription"], slot_sub);
        let slot = first["params"]["result"]["slot"].as_u64().unwrap();
        assert_eq!(first["params"]["result"]["parent"], slot - 1);
        let second = next_notification(&mut socket, "slotNotification").await;
        assert_eq!(second["params"]["result"]["slot"], slot + 1);
        send(&mut socket, json!({"jsonrpc": "2.0", "id": 2, "method": "slotUnsubscribe", "params": [slot_sub]})).await;
        let answer = next(&mut socket).await;
        let answer = if answer["id"] == 2 { answer } else { next(&mut socket).await };
        assert_eq!(answer["result"], true);

        // A signature that already landed is notified at once (confirmed).
        let payer = Keypair::new();
        let airdrop = server.airdrop(&payer.pubkey(), 5 * SOL);
        send(&mut socket, json!({"jsonrpc": "2.0", "id": 3, "method": "signatureSubscribe", "params": [airdrop, {"commitment": "confirmed"}]})).await;
        let mut answer = next(&mut socket).await;
        while answer["method"] == "slotNotification" {
            answer = next(&mut socket).await;
        }
        assert_eq!(answer["id"], 3);
        let sig_sub = answer["result"].as_u64().unwrap();
        let notified = next_notification(&mut socket, "signatureNotification").await;
        assert_eq!(notified["params"]["subscription"], sig_sub);
        assert_eq!(notified["params"]["result"]["value"], json!({"err": null}));
        assert!(notified["params"]["result"]["context"]["slot"].is_u64());

        // Logs mentioning SPL Token, an account, and a future signature (confirmed and finalized).
        let logs_sub = subscribe(&mut socket, 4, "logsSubscribe", json!([{"mentions": [spl_token_interface::id().to_string()]}, {"commitment": "confirmed"}])).await;
        let mint = Keypair::new();
        let account = Keypair::new();
        let account_sub = subscribe(&mut socket, 5, "accountSubscribe", json!([account.pubkey().to_string(), {"encoding": "base64", "commitment": "confirmed"}])).await;
        let instructions = token_setup_instructions(&server, &payer.pubkey(), &mint.pubkey(), &account.pubkey(), &payer.pubkey(), &payer.pubkey(), 9);
        let tx = signed(&instructions, &payer, &[&mint, &account], server.blockhash());
        let signature = tx.signatures[0].to_string();
        let confirmed_sub = subscribe(&mut socket, 6, "signatureSubscribe", json!([signature, {"commitment": "confirmed"}])).await;
        let finalized_sub = subscribe(&mut socket, 7, "signatureSubscribe", json!([signature])).await;
        server.call("sendTransaction", json!([b64(&tx), {"encoding": "base64"}]));

        let mut seen_logs = false;
        let mut seen_account = false;
        let mut seen_confirmed = false;
        let mut landed_slot = 0;
        for _ in 0..200 {
            let message = next(&mut socket).await;
            let sub = message["params"]["subscription"].as_u64();
            match message["method"].as_str() {
                Some("logsNotification") => {
                    assert_eq!(sub, Some(logs_sub));
                    let value = &message["params"]["result"]["value"];
                    assert_eq!(value["signature"], signature);
                    assert_eq!(value["err"], Value::Null);
                    assert!(value["logs"].as_array().unwrap().iter().any(|l| l.as_str().unwrap().contains("Instruction: MintTo")));
                    seen_logs = true;
                }
                Some("accountNotification") => {
                    assert_eq!(sub, Some(account_sub));
                    let value = &message["params"]["result"]["value"];
                    assert_eq!(value["owner"], spl_token_interface::id().to_string());
                    assert_eq!(value["space"], 165);
                    assert_eq!(value["data"][1], "base64");
                    seen_account = true;
                }
                Some("signatureNotification") => {
                    assert_eq!(sub, Some(confirmed_sub), "the finalized one comes 32 slots later");
                    assert_eq!(message["params"]["result"]["value"], json!({"err": null}));
                    landed_slot = message["params"]["result"]["context"]["slot"].as_u64().unwrap();
                    seen_confirmed = true;
                }
                _ => {}
            }
            if seen_logs && seen_account && seen_confirmed {
                break;
            }
        }
        assert!(seen_logs && seen_account && seen_confirmed);
        let finalized = next_notification(&mut socket, "signatureNotification").await;
        assert_eq!(finalized["params"]["subscription"], finalized_sub);
        assert!(finalized["params"]["result"]["context"]["slot"].as_u64().unwrap() >= landed_slot + 32);

        // Errors: unknown subscription ids, bad params, unknown methods, parse errors.
        for (id, method, params, code) in [
            (10, "signatureUnsubscribe", json!([sig_sub]), -32602), // one-shot: gone after notifying
            (11, "logsUnsubscribe", json!([999_999]), -32602),
            (12, "accountUnsubscribe", json!([logs_sub]), -32602), // wrong kind
            (13, "logsSubscribe", json!([{"mentions": []}]), -32602),
            (14, "accountSubscribe", json!(["not-a-key"]), -32602),
            (15, "signatureSubscribe", json!(["bad"]), -32602),
            (16, "blockSubscribe", json!([]), -32601),
        ] {
            send(&mut socket, json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})).await;
            let mut answer = next(&mut socket).await;
            while answer.get("method").is_some() {
                answer = next(&mut socket).await;
            }
            assert_eq!(answer["id"], id);
            assert_eq!(answer["error"]["code"], code, "{method}: {answer}");
        }
        socket.send(Message::Text("{oops".into())).await.unwrap();
        let mut answer = next(&mut socket).await;
        while answer.get("method").is_some() {
            answer = next(&mut socket).await;
        }
        assert_eq!(answer["error"]["code"], -32700);
        send(&mut socket, json!({"jsonrpc": "2.0", "id": 20, "method": "logsUnsubscribe", "params": [logs_sub]})).await;
        let mut answer = next(&mut socket).await;
        while answer.get("method").is_some() {
            answer = next(&mut socket).await;
        }
        assert_eq!(answer["result"], true);
    });
}

/// The official Rust PubsubClient understands the notifications.
#[test]
fn test_official_pubsub_client() {
    use {
        solana_commitment_config::CommitmentConfig,
        solana_pubsub_client::nonblocking::pubsub_client::PubsubClient,
        solana_rpc_client_types::{
            config::{RpcSignatureSubscribeConfig, RpcTransactionLogsConfig, RpcTransactionLogsFilter},
            response::RpcSignatureResult,
        },
    };
    let server = Server::start(40);
    let ws_url = server.ready["wsUrl"].as_str().unwrap().to_string();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let client = PubsubClient::new(ws_url.as_str()).await.unwrap();
        let (mut slots, unsubscribe_slots) = client.slot_subscribe().await.unwrap();
        let info = tokio::time::timeout(Duration::from_secs(20), slots.next()).await.unwrap().unwrap();
        assert_eq!(info.parent + 1, info.slot);
        unsubscribe_slots().await;

        let payer = Keypair::new();
        let (mut logs, _unsubscribe_logs) = client
            .logs_subscribe(
                RpcTransactionLogsFilter::Mentions(vec![payer.pubkey().to_string()]),
                RpcTransactionLogsConfig { commitment: Some(CommitmentConfig::confirmed()) },
            )
            .await
            .unwrap();
        let airdrop = server.airdrop(&payer.pubkey(), SOL);
        let entry = tokio::time::timeout(Duration::from_secs(20), logs.next()).await.unwrap().unwrap();
        assert_eq!(entry.value.signature, airdrop);
        assert!(entry.value.err.is_none());

        let transfer = signed(
            &[solana_system_interface::instruction::transfer(&payer.pubkey(), &Keypair::new().pubkey(), 1_000_000)],
            &payer,
            &[],
            server.blockhash(),
        );
        let (mut statuses, _unsubscribe_status) = client
            .signature_subscribe(
                &transfer.signatures[0],
                Some(RpcSignatureSubscribeConfig {
                    commitment: Some(CommitmentConfig::confirmed()),
                    enable_received_notification: None,
                }),
            )
            .await
            .unwrap();
        server.call("sendTransaction", json!([b58(&transfer)]));
        let status = tokio::time::timeout(Duration::from_secs(20), statuses.next()).await.unwrap().unwrap();
        match status.value {
            RpcSignatureResult::ProcessedSignature(result) => assert!(result.err.is_none()),
            other => panic!("unexpected {other:?}"),
        }
    });
}

/// A client's close is answered with a close frame (a clean 1000 close on the client): a socket dropped without the
/// reply is seen as an abnormal closure (1006), which web3.js's socket answers by reconnecting in a loop.
#[test]
fn test_client_close_is_answered() {
    use tokio_tungstenite::tungstenite::protocol::{frame::coding::CloseCode, CloseFrame};
    let server = Server::start(40);
    let ws_url = server.ready["wsUrl"].as_str().unwrap().to_string();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let (mut socket, _) = tokio_tungstenite::connect_async(ws_url.as_str()).await.unwrap();
        socket.send(Message::Close(Some(CloseFrame { code: CloseCode::Normal, reason: "".into() }))).await.unwrap();
        let reply = loop {
            let message = tokio::time::timeout(Duration::from_secs(20), socket.next())
                .await
                .expect("an answer within 20 s")
                .expect("the server answers before the stream ends")
                .expect("no error: the closing handshake completes");
            if let Message::Close(frame) = message {
                break frame;
            }
        };
        assert_eq!(reply.map(|frame| frame.code), Some(CloseCode::Normal));
        assert!(socket.next().await.is_none(), "closed after the handshake");
    });
}
