//! HTTP server (axum), slot clock and shutdown.

use {
    crate::{
        chain::{Chain, ChainConfig, NativeProgram},
        cli::Cli,
        program_output, pubsub, rpc,
    },
    anchor_lang::solana_program::{account_info::AccountInfo, entrypoint::ProgramResult, pubkey::Pubkey},
    axum::{
        body::Bytes,
        extract::State,
        http::{header, HeaderValue, StatusCode},
        response::{IntoResponse, Response},
        routing::get,
        Router,
    },
    solana_account::AccountSharedData,
    solana_program_runtime::invoke_context::BuiltinFunctionWithContext,
    solana_signer::Signer,
    std::{
        io::Write,
        sync::{Arc, Mutex},
        time::Duration,
    },
    tokio::net::TcpListener,
};

type Shared = Arc<Mutex<Chain>>;

/// Anchor's `entry` ties every argument to one lifetime; `processor!` wants independent ones.
fn maskoii_entry(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    // SAFETY: the runtime keeps all three alive for the whole call; only the lifetimes are unified.
    let (program_id, accounts, data) = unsafe {
        (
            std::mem::transmute::<&Pubkey, &'static Pubkey>(program_id),
            std::mem::transmute::<&[AccountInfo], &'static [AccountInfo<'static>]>(accounts),
            std::mem::transmute::<&[u8], &'static [u8]>(data),
        )
    };
    maskoii::entry(program_id, accounts, data)
}

fn process_maskoii(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    program_output::run_entrypoint(maskoii_entry, program_id, accounts, data)
}

/// Native programs loaded at genesis: the maskoii program at its declared id.
#[allow(deprecated)] // the unstable-API marker of solana-program-test 3.x
fn native_programs() -> Vec<NativeProgram> {
    let entry: Option<BuiltinFunctionWithContext> = solana_program_test::processor!(process_maskoii);
    vec![NativeProgram { name: "maskoii", program_id: maskoii::ID, entry: entry.expect("processor") }]
}

/// The default maskoii upgrade authority: the well-known development key with ed25519 seed [42; 32]
/// (the program tests' `deployer()`). Local use only.
fn development_upgrade_authority() -> Pubkey {
    solana_keypair::Keypair::new_from_array([42u8; 32]).pubkey()
}

/// The ProgramData account BPF loader v3 would have created for maskoii (a native builtin has none):
/// `UpgradeableLoaderState::ProgramData { slot: 0, upgrade_authority_address }`, which `initialize`
/// checks.
fn maskoii_program_data(upgrade_authority: &Pubkey) -> (Pubkey, AccountSharedData) {
    let loader = solana_sdk_ids::bpf_loader_upgradeable::id();
    let address = Pubkey::find_program_address(&[maskoii::ID.as_ref()], &loader).0;
    let mut data = vec![3, 0, 0, 0];
    data.extend_from_slice(&0u64.to_le_bytes());
    data.push(1);
    data.extend_from_slice(upgrade_authority.as_ref());
    let rent = solana_rent::Rent::default().minimum_balance(data.len());
    let mut account = AccountSharedData::new(rent, 0, &loader);
    account.set_data_from_slice(&data);
    (address, account)
}

/// Installs solana-program-test's syscall stubs, which native programs need for CPI (`invoke`),
/// `sol_log` and sysvar access: they are set once per process when a ProgramTest bank starts.
#[allow(deprecated)] // the unstable-API marker of solana-program-test 3.x
async fn install_syscall_stubs() {
    let context = solana_program_test::ProgramTest::default().start_with_context().await;
    drop(context);
}

/// Binds the HTTP port and the WebSocket port right above it (where web3.js looks for it). With
/// port 0, retries until a free pair is found.
async fn bind_pair(host: &str, port: u16) -> std::io::Result<(TcpListener, TcpListener)> {
    let mut attempts = 0;
    loop {
        let http = TcpListener::bind((host, port)).await?;
        let http_port = http.local_addr()?.port();
        match http_port.checked_add(1) {
            Some(ws_port) => match TcpListener::bind((host, ws_port)).await {
                Ok(ws) => return Ok((http, ws)),
                Err(err) if port != 0 || attempts >= 50 => return Err(err),
                Err(_) => {}
            },
            None if port != 0 || attempts >= 50 => {
                return Err(std::io::Error::other("no port above the HTTP port for WebSocket"))
            }
            None => {}
        }
        attempts += 1;
    }
}

pub async fn run(cli: Cli) -> std::io::Result<()> {
    let (listener, ws_listener) = bind_pair(&cli.host, cli.port).await?;
    let address = listener.local_addr()?;
    let ws_address = ws_listener.local_addr()?;
    install_syscall_stubs().await;
    let events = pubsub::channel();
    let mut bpf_programs = Vec::new();
    for (address, path) in &cli.bpf_programs {
        let address: Pubkey = address
            .parse()
            .map_err(|_| std::io::Error::other(format!("--bpf-program: not a public key: {address}")))?;
        let elf = std::fs::read(path).map_err(|e| std::io::Error::other(format!("--bpf-program {path}: {e}")))?;
        bpf_programs.push((address, elf));
    }
    let upgrade_authority = match &cli.upgrade_authority {
        None => development_upgrade_authority(),
        Some(key) => {
            key.parse().map_err(|_| std::io::Error::other(format!("--upgrade-authority: not a public key: {key}")))?
        }
    };
    // The native maskoii build is loaded unless an SBF build replaces it.
    let programs = native_programs()
        .into_iter()
        .filter(|p| !bpf_programs.iter().any(|(address, _)| *address == p.program_id))
        .collect();

    let config = ChainConfig {
        slot_ms: cli.slot_ms,
        faucet_lamports: cli.faucet_lamports,
        programs,
        accounts: vec![maskoii_program_data(&upgrade_authority)],
        bpf_programs,
        events: events.clone(),
    };
    let chain = tokio::task::spawn_blocking(move || Chain::new(config)).await.map_err(std::io::Error::other)?;
    let faucet = chain.faucet.pubkey();
    let genesis_hash = chain.genesis_hash;
    let shared: Shared = Arc::new(Mutex::new(chain));
    tokio::spawn(pubsub::serve(ws_listener, shared.clone(), events));

    // Slot clock: ends the current slot every `slot_ms`.
    let ticker = shared.clone();
    let slot_ms = cli.slot_ms;
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_millis(slot_ms));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        interval.tick().await;
        loop {
            interval.tick().await;
            let chain = ticker.clone();
            let _ = tokio::task::spawn_blocking(move || chain.lock().unwrap_or_else(|p| p.into_inner()).advance_slot())
                .await;
        }
    });

    let app = Router::new()
        .route("/", get(health).post(handle).options(preflight))
        .route("/health", get(health))
        .with_state(shared)
        .layer(axum::middleware::map_response(cors));

    let ready = serde_json::json!({
        "ready": true,
        "url": format!("http://{address}"),
        "wsUrl": format!("ws://{ws_address}"),
        "host": address.ip().to_string(),
        "port": address.port(),
        "slotMs": cli.slot_ms,
        "faucet": faucet.to_string(),
        "genesisHash": genesis_hash.to_string(),
        "programs": { "maskoii": maskoii::ID.to_string() },
        "upgradeAuthority": upgrade_authority.to_string(),
        "sbfPrograms": cli.bpf_programs.iter().map(|(address, _)| address.clone()).collect::<Vec<_>>(),
    });
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{ready}")?;
    stdout.flush()?;
    // The ready line is the only stdout output: from here on stdout is a pipe that carries native
    // programs' `msg!` output into the transaction logs (and to stderr).
    program_output::install()?;

    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await
}

async fn handle(State(shared): State<Shared>, body: Bytes) -> Response {
    match tokio::task::spawn_blocking(move || rpc::handle_body(&shared, &body)).await {
        Ok(Some(value)) => {
            ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], value.to_string()).into_response()
        }
        Ok(None) => StatusCode::OK.into_response(),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            r#"{"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error"},"id":null}"#,
        )
            .into_response(),
    }
}

async fn health() -> &'static str {
    "ok"
}

async fn preflight() -> StatusCode {
    StatusCode::NO_CONTENT
}

/// Browsers (web3.js in a dapp) need CORS to talk to a local RPC.
async fn cors(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, OPTIONS"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("*"));
    response
}

async fn shutdown_signal() {
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    // Graceful shutdown waits for open HTTP connections; do not let a client holding one keep the
    // process alive.
    std::thread::spawn(|| {
        std::thread::sleep(Duration::from_secs(3));
        crate::stderr::line_now("maskoii-local-rpc: stopped (connections still open)");
        std::process::exit(0);
    });
}
