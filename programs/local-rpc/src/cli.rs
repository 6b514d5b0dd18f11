//! Command-line flags.

use solana_native_token::LAMPORTS_PER_SOL;

pub const USAGE: &str = "\
maskoii-local-rpc: a local Solana JSON-RPC server running the real Solana runtime with SPL Token
and the maskoii program loaded.

USAGE: maskoii-local-rpc [--host HOST] [--port PORT] [--slot-ms MS] [--ledger-airdrop LAMPORTS]
                         [--bpf-program ADDRESS PROGRAM.so]...

  --host HOST                 address to listen on (default 127.0.0.1)
  --port PORT                 port to listen on, 0 for any free port (default 8899);
                              WebSocket subscriptions are served on PORT + 1
  --slot-ms MS                slot duration in milliseconds (default 400)
  --ledger-airdrop LAMPORTS   lamports held by the faucet that serves requestAirdrop
                              (default 500000000 SOL)
  --bpf-program ADDRESS SO    load an SBF program (ELF) at ADDRESS (repeatable); at the maskoii
                              program id it replaces the native build (exact compute units)
  --upgrade-authority PUBKEY  upgrade authority in the maskoii ProgramData account, the only key
                              that may `initialize` (default: the development key whose 32-byte
                              ed25519 seed is [42; 32], as in the program tests)
  -h, --help                  print this help

Prints one JSON line {\"ready\":true,\"url\":...} on stdout once listening; stops on SIGINT/SIGTERM.";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cli {
    pub host: String,
    pub port: u16,
    pub slot_ms: u64,
    pub faucet_lamports: u64,
    /// (address, path to the ELF) pairs.
    pub bpf_programs: Vec<(String, String)>,
    /// Upgrade authority recorded in the maskoii ProgramData account (the key allowed to `initialize`).
    pub upgrade_authority: Option<String>,
}

impl Default for Cli {
    fn default() -> Cli {
        Cli {
            host: "127.0.0.1".into(),
            port: 8899,
            slot_ms: 400,
            faucet_lamports: 500_000_000 * LAMPORTS_PER_SOL,
            bpf_programs: Vec::new(),
            upgrade_authority: None,
        }
    }
}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Run(Cli),
    Help,
}

pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut cli = Cli::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag.to_string(), Some(value.to_string())),
            _ => (arg.clone(), None),
        };
        if flag == "-h" || flag == "--help" {
            return Ok(Command::Help);
        }
        let mut value = || inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--host" => cli.host = value()?,
            "--port" => cli.port = number(&flag, &value()?)?,
            "--slot-ms" => {
                cli.slot_ms = number(&flag, &value()?)?;
                if cli.slot_ms == 0 {
                    return Err("--slot-ms must be at least 1".into());
                }
            }
            "--ledger-airdrop" => {
                cli.faucet_lamports = number(&flag, &value()?)?;
                if cli.faucet_lamports == 0 {
                    return Err("--ledger-airdrop must be at least 1 lamport".into());
                }
            }
            "--upgrade-authority" => cli.upgrade_authority = Some(value()?),
            "--bpf-program" => {
                let address = value()?;
                let path = args.next().ok_or_else(|| format!("{flag} needs an address and a path"))?;
                cli.bpf_programs.push((address, path));
            }
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    Ok(Command::Run(cli))
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value.parse().map_err(|_| format!("{flag}: not a valid number: {value}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn defaults() {
        assert_eq!(parse(args(&[])), Ok(Command::Run(Cli::default())));
    }

    #[test]
    fn all_flags_both_forms() {
        let parsed = parse(args(&["--host", "0.0.0.0", "--port=0", "--slot-ms", "50", "--ledger-airdrop=77"]));
        assert_eq!(
            parsed,
            Ok(Command::Run(Cli {
                host: "0.0.0.0".into(),
                port: 0,
                slot_ms: 50,
                faucet_lamports: 77,
                bpf_programs: Vec::new(),
                upgrade_authority: None
            }))
        );
    }

    #[test]
    fn errors() {
        assert!(parse(args(&["--port"])).unwrap_err().contains("needs a value"));
        assert!(parse(args(&["--port", "x"])).unwrap_err().contains("not a valid number"));
        assert!(parse(args(&["--port", "70000"])).is_err());
        assert!(parse(args(&["--slot-ms", "0"])).is_err());
        assert!(parse(args(&["--ledger-airdrop", "0"])).is_err());
        assert!(parse(args(&["--nope"])).unwrap_err().contains("unknown argument"));
        assert_eq!(parse(args(&["--help"])), Ok(Command::Help));
        assert!(parse(args(&["--bpf-program", "Addr"])).unwrap_err().contains("an address and a path"));
    }

    #[test]
    fn bpf_programs_repeat() {
        let Ok(Command::Run(cli)) = parse(args(&["--bpf-program", "A", "a.so", "--bpf-program=B", "b.so"])) else {
            panic!("parse")
        };
        assert_eq!(
            cli.bpf_programs,
            vec![("A".to_string(), "a.so".to_string()), ("B".to_string(), "b.so".to_string())]
        );
    }
}
