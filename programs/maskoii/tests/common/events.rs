//! Program events on the host, in the transaction's logs exactly as the SBF runtime writes them.
//!
//! `maskoii::events::emit` hands each event record to solana-sysvar's syscall stubs when the program runs as a native
//! processor (anchor-lang's own host `sol_log_data` is a no-op). solana-program-test's stubs do not implement
//! `sol_log_data` (the trait default prints to stdout), so `install` wraps them with `maskoii_dev_syscalls` (the
//! wrapper `local-rpc` uses too): every call is delegated to program-test's stubs except `sol_log_data`, which writes
//! `Program data: <base64> ...` into the running transaction's log collector through `stable_log::program_data`, the
//! function the SBF `sol_log_data` syscall uses.
//! The log collector is the invoke context's, recorded by `maskoii_processor` around each entry into the program.
//!
//! The decoders read those lines back: `Program data: ` + base64 of `discriminator ‖ borsh(event)`, what Anchor's
//! TypeScript `EventParser` decodes with the IDL.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Once;

use anchor_lang::{AnchorDeserialize, Discriminator, Event};
use base64::prelude::{Engine, BASE64_STANDARD};
use maskoii_dev_syscalls::{Overrides, SyscallStubs};
use solana_program_runtime::invoke_context::{BuiltinFunctionWithContext, InvokeContext};
use solana_program_runtime::stable_log;
use solana_program_test::{get_runtime_environment_key, processor, EbpfVm};
use solana_svm_log_collector::LogCollector;

type Collector = Option<Rc<RefCell<LogCollector>>>;

thread_local! {
    /// The log collector of the transaction whose maskoii instruction runs on this thread, if any.
    static COLLECTOR: RefCell<Collector> = const { RefCell::new(None) };
}

/// `processor!(process_maskoii)` that also records the transaction's log collector while the program runs, for
/// `sol_log_data`. Nested entries (the program's self-CPI into `handle`) save and restore it.
pub fn maskoii_processor() -> Option<BuiltinFunctionWithContext> {
    Some(|vm, arg0, arg1, arg2, arg3, arg4| {
        let inner: Option<BuiltinFunctionWithContext> = processor!(super::process_maskoii);
        let previous = enter(vm);
        inner.expect("processor")(vm, arg0, arg1, arg2, arg3, arg4);
        COLLECTOR.with(|c| *c.borrow_mut() = previous);
    })
}

fn enter(vm: *mut EbpfVm<InvokeContext<'static, 'static>>) -> Collector {
    // SAFETY: the same pointer adjustment as solana-program-test's `processor!`: the runtime passes the VM pointer
    // offset by the runtime environment key; the VM and its invoke context outlive this call.
    let vm = unsafe {
        &mut *((vm as *mut u64).offset(-(get_runtime_environment_key() as isize))
            as *mut EbpfVm<InvokeContext<'static, 'static>>)
    };
    let collector = vm.context_object_pointer.get_log_collector();
    COLLECTOR.with(|c| c.replace(collector))
}

/// Wraps the installed syscall stubs (solana-program-test's) once per process. Call after a ProgramTest bank
/// started: program-test installs its stubs when the first bank is set up.
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| maskoii_dev_syscalls::wrap_installed(EventLogging));
}

/// What the program tests change in solana-program-test's stubs: `sol_log_data` writes into the running transaction's
/// log collector (program-test's own prints to stdout); outside a maskoii instruction it goes to program-test's.
struct EventLogging;

impl Overrides for EventLogging {
    fn sol_log_data(&self, inner: &dyn SyscallStubs, fields: &[&[u8]]) {
        let logged = COLLECTOR.with(|c| match &*c.borrow() {
            Some(collector) => {
                stable_log::program_data(&Some(collector.clone()), fields);
                true
            }
            None => false,
        });
        if !logged {
            inner.sol_log_data(fields)
        }
    }
}

// ---------------------------------------------------------------- decoding

/// The records of every `Program data:` line, in log order (one record per field; maskoii logs one per line).
pub fn records(logs: &[String]) -> Vec<Vec<u8>> {
    logs.iter()
        .filter_map(|line| line.strip_prefix("Program data: "))
        .flat_map(|fields| fields.split(' ').map(|f| BASE64_STANDARD.decode(f).expect("base64 event record")))
        .collect()
}

/// Every event of type `E` in the logs, in order: records whose first 8 bytes are `E`'s discriminator, the rest
/// decoded with borsh (all of it: trailing bytes fail).
pub fn events<E: Event + Discriminator + AnchorDeserialize>(logs: &[String]) -> Vec<E> {
    records(logs)
        .into_iter()
        .filter(|r| r.len() >= E::DISCRIMINATOR.len() && r[..E::DISCRIMINATOR.len()] == *E::DISCRIMINATOR)
        .map(|r| E::try_from_slice(&r[E::DISCRIMINATOR.len()..]).expect("event decodes"))
        .collect()
}

/// The one event of type `E` in the logs (fails if there are none or several).
pub fn event<E: Event + Discriminator + AnchorDeserialize>(logs: &[String]) -> E {
    let mut all = events::<E>(logs);
    assert_eq!(all.len(), 1, "expected exactly one {} event in {logs:#?}", std::any::type_name::<E>());
    all.remove(0)
}

/// The 8-byte discriminators of the IDL's events, by name (from the committed sdk IDL).
pub fn idl_event_discriminators() -> Vec<(String, Vec<u8>)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../sdk/src/solana/idl/maskoii.json");
    let idl: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).expect("IDL")).expect("IDL json");
    idl["events"]
        .as_array()
        .expect("IDL events")
        .iter()
        .map(|e| {
            let name = e["name"].as_str().expect("event name").to_string();
            let disc = e["discriminator"].as_array().expect("discriminator");
            (name, disc.iter().map(|b| b.as_u64().expect("byte") as u8).collect())
        })
        .collect()
}
