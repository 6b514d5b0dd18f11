//! Test harness: runs the real `maskoii-local-rpc` binary on a free port and talks HTTP JSON-RPC to it
//! over a plain TcpStream.

#![allow(dead_code)]

use {
    base64::{prelude::BASE64_STANDARD, Engine},
    serde_json::{json, Value},
    solana_hash::Hash,
    solana_keypair::Keypair,
    solana_message::Message,
    solana_pubkey::Pubkey,
    solana_signer::Signer,
    solana_transaction::Transaction,
    std::{
        io::{BufRead, BufReader, Read, Write},
        net::TcpStream,
        process::{Child, Command, ExitStatus, Stdio},
        str::FromStr,
        sync::mpsc,
        time::{Duration, Instant},
    },
};

pub const BIN: &str = env!("CARGO_BIN_EXE_maskoii-local-rpc");

pub struct Server {
    child: Option<Child>,
    stderr: Option<std::thread::JoinHandle<String>>,
    pub url: String,
    pub host_port: String,
    pub ready: Value,
}

impl Server {
    pub fn start(slot_ms: u64) -> Server {
        Server::start_with(&["--slot-ms", &slot_ms.to_string()])
    }

    pub fn start_with(extra: &[&str]) -> Server {
        Server::spawn(extra, true)
    }

    /// Like `start_with`, but nobody ever reads the server's stderr pipe.
    pub fn start_with_unread_stderr(extra: &[&str]) -> Server {
        Server::spawn(extra, false)
    }

    fn spawn(extra: &[&str], drain_stderr: bool) -> Server {
        let mut child = Command::new(BIN)
            .args(["--host", "127.0.0.1", "--port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn maskoii-local-rpc");
        let stdout = child.stdout.take().unwrap();
        // Drain stderr as it comes (a server must not depend on it, but tests should not rely on that).
        let stderr = drain_stderr.then(|| {
            let mut stderr_pipe = child.stderr.take().unwrap();
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = stderr_pipe.read_to_string(&mut text);
                text
            })
        });
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let line = receiver.recv_timeout(Duration::from_secs(120)).expect("ready line within 120 s");
        let ready: Value = serde_json::from_str(line.trim()).expect("ready line is JSON");
        assert_eq!(ready["ready"], json!(true), "ready line: {line}");
        let url = ready["url"].as_str().unwrap().to_string();
        let host_port = url.trim_start_matches("http://").to_string();
        Server { child: Some(child), stderr, url, host_port, ready }
    }

    /// POSTs `body` and returns (HTTP status, body).
    pub fn post_raw(&self, body: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.host_port).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        write!(
            stream,
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            self.host_port,
            body.len(),
            body
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read response");
        let (head, body) = response.split_once("\r\n\r\n").expect("HTTP response");
        let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
            dechunk(body)
        } else {
            body.to_string()
        };
        (status, body)
    }

    pub fn post(&self, body: &Value) -> Value {
        let (status, text) = self.post_raw(&body.to_string());
        assert_eq!(status, 200, "HTTP status for {body}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("response is not JSON ({e}): {text}"))
    }

    /// Calls `method`; returns the whole response object.
    pub fn request(&self, method: &str, params: Value) -> Value {
        let response = self.post(&json!({ "jsonrpc": "2.0", "id": 7, "method": method, "params": params }));
        assert_eq!(response["jsonrpc"], "2.0");
        assert_eq!(response["id"], 7);
        response
    }

    /// Calls `method` and returns `result`, failing on an error response.
    pub fn call(&self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].clone()
    }

    /// Calls `method`, expecting an error; returns the error object.
    pub fn call_err(&self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(response.get("result").is_none(), "{method} should fail: {response}");
        response["error"].clone()
    }

    pub fn slot(&self) -> u64 {
        self.call("getSlot", json!([])).as_u64().unwrap()
    }

    pub fn blockhash(&self) -> Hash {
        let value = self.call("getLatestBlockhash", json!([]));
        Hash::from_str(value["value"]["blockhash"].as_str().unwrap()).unwrap()
    }

    pub fn airdrop(&self, to: &Pubkey, lamports: u64) -> String {
        self.call("requestAirdrop", json!([to.to_string(), lamports])).as_str().unwrap().to_string()
    }

    /// Waits (bounded) until the slot is at least `slot`.
    pub fn wait_for_slot(&self, slot: u64) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.slot() < slot {
            assert!(Instant::now() < deadline, "slot {slot} not reached in 30 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends SIGTERM and waits (bounded) for the exit; returns its status and stderr.
    pub fn stop(&mut self) -> (ExitStatus, String) {
        let mut child = self.child.take().expect("running");
        let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                let stderr = self.stderr.take().map(|t| t.join().unwrap_or_default()).unwrap_or_default();
                return (status, stderr);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("server did not stop within 20 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&tail[..size]);
        rest = &tail[size + 2..];
    }
    out
}

pub fn b64(tx: &Transaction) -> String {
    BASE64_STANDARD.encode(bincode::serialize(tx).unwrap())
}

pub fn b64_bytes(bytes: &[u8]) -> String {
    BASE64_STANDARD.encode(bytes)
}

pub fn b58(tx: &Transaction) -> String {
    bs58::encode(bincode::serialize(tx).unwrap()).into_string()
}

pub fn signed(
    instructions: &[solana_instruction::Instruction],
    payer: &Keypair,
    signers: &[&Keypair],
    blockhash: Hash,
) -> Transaction {
    let message = Message::new(instructions, Some(&payer.pubkey()));
    let mut all: Vec<&Keypair> = vec![payer];
    all.extend_from_slice(signers);
    Transaction::new(&all, message, blockhash)
}

pub const MINT_LEN: usize = 82;
pub const TOKEN_ACCOUNT_LEN: usize = 165;

/// Instructions creating an SPL mint (`decimals`, authority `authority`) and a token account of
/// `owner` for it, then minting `amount` to it.
pub fn token_setup_instructions(
    server: &Server,
    payer: &Pubkey,
    mint: &Pubkey,
    account: &Pubkey,
    authority: &Pubkey,
    owner: &Pubkey,
    amount: u64,
) -> Vec<solana_instruction::Instruction> {
    let token = spl_token_interface::id();
    let rent = |len: usize| server.call("getMinimumBalanceForRentExemption", json!([len])).as_u64().unwrap();
    vec![
        solana_system_interface::instruction::create_account(payer, mint, rent(MINT_LEN), MINT_LEN as u64, &token),
        spl_token_interface::instruction::initialize_mint2(&token, mint, authority, None, 6).unwrap(),
        solana_system_interface::instruction::create_account(
            payer,
            account,
            rent(TOKEN_ACCOUNT_LEN),
            TOKEN_ACCOUNT_LEN as u64,
            &token,
        ),
        spl_token_interface::instruction::initialize_account3(&token, account, mint, owner).unwrap(),
        spl_token_interface::instruction::mint_to(&token, mint, account, authority, &[], amount).unwrap(),
    ]
}
