//! WebSocket PubSub (the real RPC's port + 1), which @solana/web3.js's `confirmTransaction` needs:
//! signatureSubscribe, slotSubscribe, rootSubscribe, logsSubscribe, accountSubscribe and their
//! unsubscribes, with the real notification shapes.

use {
    crate::{
        chain::{Chain, FINALIZED_DISTANCE},
        encoding::{self, AccountEncoding},
        history::TxRecord,
        methods::API_VERSION,
        rpc::{
            parse_pubkey, parse_signature, RpcError, INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR,
        },
    },
    futures_util::{SinkExt, StreamExt},
    serde_json::{json, Value},
    solana_account::AccountSharedData,
    solana_clock::Slot,
    solana_pubkey::Pubkey,
    solana_signature::Signature,
    std::{
        collections::HashMap,
        sync::{
            atomic::{AtomicU64, Ordering},
            Arc, Mutex,
        },
    },
    tokio::{net::TcpListener, sync::broadcast},
    tokio_tungstenite::tungstenite::Message,
};

/// What the chain announces to subscribers.
#[derive(Clone, Debug)]
pub enum Event {
    /// A new slot opened (`parent` just ended and became the root).
    Slot { slot: Slot, parent: Slot, root: Slot },
    /// A transaction was committed.
    Transaction(Arc<TxRecord>),
}

pub type Events = broadcast::Sender<Event>;

pub fn channel() -> Events {
    broadcast::channel(4096).0
}

static NEXT_SUBSCRIPTION: AtomicU64 = AtomicU64::new(1);

enum Subscription {
    Signature { signature: Signature, finalized: bool, landed: Option<(Slot, Value)> },
    Slot,
    Root,
    Logs { mentions: Option<Pubkey> },
    Account { pubkey: Pubkey, encoding: AccountEncoding },
}

impl Subscription {
    fn notification_method(&self) -> &'static str {
        match self {
            Subscription::Signature { .. } => "signatureNotification",
            Subscription::Slot => "slotNotification",
            Subscription::Root => "rootNotification",
            Subscription::Logs { .. } => "logsNotification",
            Subscription::Account { .. } => "accountNotification",
        }
    }
}

fn notification(method: &str, subscription: u64, result: Value) -> String {
    json!({
        "jsonrpc": "2.0",
        "method": method,
        "params": { "result": result, "subscription": subscription },
    })
    .to_string()
}

fn context(slot: Slot) -> Value {
    json!({ "slot": slot, "apiVersion": API_VERSION })
}

pub async fn serve(listener: TcpListener, chain: Arc<Mutex<Chain>>, events: Events) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let chain = chain.clone();
        let receiver = events.subscribe();
        tokio::spawn(async move {
            if let Ok(socket) = tokio_tungstenite::accept_async(stream).await {
                connection(socket, chain, receiver).await;
            }
        });
    }
}

async fn connection(
    socket: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    chain: Arc<Mutex<Chain>>,
    mut events: broadcast::Receiver<Event>,
) {
    let (mut sink, mut stream) = socket.split();
    let mut subscriptions: HashMap<u64, Subscription> = HashMap::new();
    loop {
        let mut outgoing: Vec<String> = Vec::new();
        tokio::select! {
            message = stream.next() => {
                let text = match message {
                    Some(Ok(Message::Text(text))) => text.to_string(),
                    Some(Ok(Message::Binary(bytes))) => String::from_utf8_lossy(&bytes).into_owned(),
                    Some(Ok(Message::Ping(payload))) => {
                        let _ = sink.send(Message::Pong(payload)).await;
                        continue;
                    }
                    Some(Ok(Message::Close(_))) => {
                        // tungstenite queued the reply close frame; send it so the client sees a clean close
                        // (code 1000) rather than 1006, which web3.js's socket answers by reconnecting forever.
                        let _ = sink.close().await;
                        return;
                    }
                    None | Some(Err(_)) => return,
                    Some(Ok(_)) => continue,
                };
                handle_text(&text, &chain, &mut subscriptions, &mut outgoing);
            }
            event = events.recv() => match event {
                Ok(event) => on_event(&event, &chain, &mut subscriptions, &mut outgoing),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
        for text in outgoing {
            if sink.send(Message::Text(text.into())).await.is_err() {
                return;
            }
        }
    }
}

fn lock(chain: &Mutex<Chain>) -> std::sync::MutexGuard<'_, Chain> {
    chain.lock().unwrap_or_else(|p| p.into_inner())
}

fn handle_text(text: &str, chain: &Mutex<Chain>, subs: &mut HashMap<u64, Subscription>, out: &mut Vec<String>) {
    let error = |id: Value, e: RpcError| json!({ "jsonrpc": "2.0", "error": e.to_json(), "id": id }).to_string();
    let request: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(_) => return out.push(error(Value::Null, RpcError::new(PARSE_ERROR, "Parse error"))),
    };
    let requests = match request {
        Value::Array(list) if !list.is_empty() => list,
        Value::Array(_) => return out.push(error(Value::Null, RpcError::new(INVALID_REQUEST, "Invalid request"))),
        single => vec![single],
    };
    for request in requests {
        let id = request.get("id").cloned().unwrap_or(Value::Null);
        let (Some("2.0"), Some(method)) =
            (request.get("jsonrpc").and_then(Value::as_str), request.get("method").and_then(Value::as_str))
        else {
            out.push(error(id, RpcError::new(INVALID_REQUEST, "Invalid request")));
            continue;
        };
        let params = match request.get("params") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => list.clone(),
            Some(_) => {
                out.push(error(id, RpcError::invalid_params("Invalid params: `params` must be an array")));
                continue;
            }
        };
        let mark = out.len();
        match subscribe(method, &params, chain, subs, out) {
            Ok(result) => {
                // The answer goes before any notification the subscription produced at once.
                let notifications = out.split_off(mark);
                out.push(json!({ "jsonrpc": "2.0", "result": result, "id": id }).to_string());
                out.extend(notifications);
            }
            Err(e) => out.push(error(id, e)),
        }
    }
}

fn param<'a>(params: &'a [Value], index: usize, name: &str) -> Result<&'a Value, RpcError> {
    params
        .get(index)
        .filter(|v| !v.is_null())
        .ok_or_else(|| RpcError::invalid_params(format!("Invalid params: missing `{name}`")))
}

fn param_str<'a>(params: &'a [Value], index: usize, name: &str) -> Result<&'a str, RpcError> {
    param(params, index, name)?
        .as_str()
        .ok_or_else(|| RpcError::invalid_params(format!("Invalid param: `{name}` must be a string")))
}

fn commitment_finalized(config: Option<&Value>) -> Result<bool, RpcError> {
    match config.and_then(|c| c.get("commitment")) {
        None | Some(Value::Null) => Ok(true), // the default commitment is finalized
        Some(Value::String(c)) => match c.as_str() {
            "finalized" | "max" | "root" => Ok(true),
            "confirmed" | "processed" | "recent" | "single" | "singleGossip" => Ok(false),
            other => Err(RpcError::invalid_params(format!("Invalid param: unknown commitment `{other}`"))),
        },
        Some(_) => Err(RpcError::invalid_params("Invalid param: `commitment` must be a string")),
    }
}

fn subscribe(
    method: &str,
    params: &[Value],
    chain: &Mutex<Chain>,
    subs: &mut HashMap<u64, Subscription>,
    out: &mut Vec<String>,
) -> Result<Value, RpcError> {
    if let Some(kind) = method.strip_suffix("Unsubscribe") {
        if !matches!(kind, "signature" | "slot" | "root" | "logs" | "account") {
            return Err(RpcError::new(METHOD_NOT_FOUND, "Method not found"));
        }
        let id = param(params, 0, "subscription")?
            .as_u64()
            .ok_or_else(|| RpcError::invalid_params("Invalid param: `subscription` must be an unsigned integer"))?;
        let known = subs.get(&id).is_some_and(|s| s.notification_method().starts_with(kind));
        if !known {
            return Err(RpcError::new(INVALID_PARAMS, "Invalid subscription id."));
        }
        subs.remove(&id);
        return Ok(json!(true));
    }
    let id = NEXT_SUBSCRIPTION.fetch_add(1, Ordering::Relaxed);
    let subscription = match method {
        "signatureSubscribe" => {
            let signature = parse_signature(param_str(params, 0, "signature")?, "signature")?;
            let finalized = commitment_finalized(params.get(1))?;
            let mut sub = Subscription::Signature { signature, finalized, landed: None };
            // Already landed before the subscription: answer from the history.
            let chain = lock(chain);
            if let Some(record) = chain.history.get(&signature) {
                let err = encoding::error_json(&record.err);
                if !finalized || chain.slot() >= record.slot + FINALIZED_DISTANCE {
                    out.push(notification(
                        "signatureNotification",
                        id,
                        json!({
                            "context": context(chain.slot()),
                            "value": { "err": err },
                        }),
                    ));
                    return Ok(json!(id));
                }
                sub = Subscription::Signature { signature, finalized, landed: Some((record.slot, err)) };
            }
            sub
        }
        "slotSubscribe" => Subscription::Slot,
        "rootSubscribe" => Subscription::Root,
        "logsSubscribe" => {
            let filter = param(params, 0, "filter")?;
            let mentions = match filter {
                Value::String(s) if s == "all" || s == "allWithVotes" => None,
                Value::Object(map) => match map.get("mentions").and_then(Value::as_array) {
                    Some(list) if list.len() == 1 => {
                        let key = list[0].as_str().ok_or_else(|| {
                            RpcError::invalid_params("Invalid param: `filter.mentions` must hold one public key")
                        })?;
                        Some(parse_pubkey(key, "filter.mentions")?)
                    }
                    _ => {
                        return Err(RpcError::invalid_params(
                            "Invalid param: `filter.mentions` must be an array of exactly one public key",
                        ))
                    }
                },
                _ => {
                    return Err(RpcError::invalid_params(
                        "Invalid param: `filter` must be \"all\", \"allWithVotes\" or {\"mentions\": [pubkey]}",
                    ))
                }
            };
            commitment_finalized(params.get(1))?;
            Subscription::Logs { mentions }
        }
        "accountSubscribe" => {
            let pubkey = parse_pubkey(param_str(params, 0, "pubkey")?, "pubkey")?;
            let config = params.get(1);
            let encoding = AccountEncoding::parse(config.and_then(|c| c.get("encoding")).and_then(Value::as_str))?;
            commitment_finalized(config)?;
            Subscription::Account { pubkey, encoding }
        }
        _ => return Err(RpcError::new(METHOD_NOT_FOUND, "Method not found")),
    };
    subs.insert(id, subscription);
    Ok(json!(id))
}

fn on_event(event: &Event, chain: &Mutex<Chain>, subs: &mut HashMap<u64, Subscription>, out: &mut Vec<String>) {
    let mut done = Vec::new();
    for (&id, sub) in subs.iter_mut() {
        match (sub, event) {
            (Subscription::Slot, Event::Slot { slot, parent, root }) => {
                out.push(notification("slotNotification", id, json!({ "parent": parent, "root": root, "slot": slot })));
            }
            (Subscription::Root, Event::Slot { root, .. }) => {
                out.push(notification("rootNotification", id, json!(root)));
            }
            (Subscription::Signature { signature, finalized, landed }, Event::Transaction(record))
                if record.signature == *signature =>
            {
                let err = encoding::error_json(&record.err);
                if *finalized {
                    *landed = Some((record.slot, err));
                } else {
                    out.push(notification(
                        "signatureNotification",
                        id,
                        json!({
                            "context": context(record.slot),
                            "value": { "err": err },
                        }),
                    ));
                    done.push(id);
                }
            }
            (
                Subscription::Signature { finalized: true, landed: Some((landed_slot, err)), .. },
                Event::Slot { slot, .. },
            ) if *slot >= *landed_slot + FINALIZED_DISTANCE => {
                out.push(notification(
                    "signatureNotification",
                    id,
                    json!({
                        "context": context(*slot),
                        "value": { "err": err },
                    }),
                ));
                done.push(id);
            }
            (Subscription::Logs { mentions }, Event::Transaction(record))
                if mentions.is_none_or(|key| record.account_keys.contains(&key)) =>
            {
                out.push(notification(
                    "logsNotification",
                    id,
                    json!({
                        "context": context(record.slot),
                        "value": {
                            "signature": record.signature.to_string(),
                            "err": encoding::error_json(&record.err),
                            "logs": record.logs,
                        },
                    }),
                ));
            }
            (Subscription::Account { pubkey, encoding }, Event::Transaction(record))
                if record
                    .account_keys
                    .iter()
                    .zip(record.writable.iter())
                    .any(|(key, writable)| key == pubkey && *writable) =>
            {
                let chain = lock(chain);
                let decimals = crate::methods::decimals(&chain);
                let account = chain
                    .account(pubkey)
                    .unwrap_or_else(|| AccountSharedData::new(0, 0, &solana_sdk_ids::system_program::id()));
                let value = encoding::account_json(&account, *encoding, None, &decimals)
                    .or_else(|_| encoding::account_json(&account, AccountEncoding::Base64, None, &decimals))
                    .unwrap_or(Value::Null);
                out.push(notification(
                    "accountNotification",
                    id,
                    json!({
                        "context": context(record.slot),
                        "value": value,
                    }),
                ));
            }
            _ => {}
        }
    }
    for id in done {
        subs.remove(&id);
    }
}
