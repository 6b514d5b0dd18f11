//! maskoii-local-rpc: a local Solana JSON-RPC 2.0 server backed by the real Solana runtime
//! (`solana_runtime::Bank`) with the SPL programs and the maskoii program loaded.
//!
//! Modules: `cli` (flags), `server` (HTTP, slot clock, shutdown), `pubsub` (WebSocket subscriptions), `rpc` (JSON-RPC envelope and
//! params), `methods` (the RPC methods), `chain` (banks, execution), `history` (transaction records),
//! `encoding` (wire formats), `program_output` (native programs' `msg!` output into the logs).

mod chain;
mod cli;
mod encoding;
mod history;
mod methods;
mod program_output;
mod pubsub;
mod rpc;
mod server;
mod stderr;

fn main() {
    let command = match cli::parse(std::env::args().skip(1)) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("error: {message}\n\n{}", cli::USAGE);
            std::process::exit(2);
        }
    };
    let cli = match command {
        cli::Command::Help => {
            println!("{}", cli::USAGE);
            return;
        }
        cli::Command::Run(cli) => cli,
    };
    if std::env::var_os("RUST_LOG").is_none() {
        // The runtime logs every instruction at debug level; keep stderr quiet unless asked.
        std::env::set_var("RUST_LOG", "warn");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let result = runtime.block_on(server::run(cli));
    match result {
        Ok(()) => {
            stderr::line_now("maskoii-local-rpc: stopped");
            // Skip tearing down the banks and accounts database: nothing is persisted.
            std::process::exit(0);
        }
        Err(err) => {
            stderr::line_now(&format!("maskoii-local-rpc: {err}"));
            std::process::exit(1);
        }
    }
}
