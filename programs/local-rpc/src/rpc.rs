//! JSON-RPC 2.0 envelope: parsing, batches, notifications, error objects, positional params.

use {
    crate::{chain::Chain, methods},
    serde_json::{json, Map, Value},
    solana_pubkey::Pubkey,
    solana_signature::Signature,
    std::{
        panic::{catch_unwind, AssertUnwindSafe},
        str::FromStr,
        sync::Mutex,
    },
};

pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
pub const INVALID_PARAMS: i64 = -32602;
pub const INTERNAL_ERROR: i64 = -32603;
/// Solana server errors (solana-rpc-client-api `custom_error`).
pub const SEND_TRANSACTION_PREFLIGHT_FAILURE: i64 = -32002;
pub const TRANSACTION_SIGNATURE_VERIFICATION_FAILURE: i64 = -32003;
pub const BLOCK_NOT_AVAILABLE: i64 = -32004;
pub const UNSUPPORTED_TRANSACTION_VERSION: i64 = -32015;
pub const MIN_CONTEXT_SLOT_NOT_REACHED: i64 = -32016;

#[derive(Debug, Clone)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    pub fn new(code: i64, message: impl Into<String>) -> RpcError {
        RpcError { code, message: message.into(), data: None }
    }
    pub fn with_data(mut self, data: Value) -> RpcError {
        self.data = Some(data);
        self
    }
    pub fn invalid_params(message: impl Into<String>) -> RpcError {
        RpcError::new(INVALID_PARAMS, message)
    }
    pub fn to_json(&self) -> Value {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(data) = &self.data {
            error["data"] = data.clone();
        }
        error
    }
}

fn error_response(id: Value, error: RpcError) -> Value {
    json!({ "jsonrpc": "2.0", "error": error.to_json(), "id": id })
}

/// Handles one HTTP body (a request or a batch). `None` when nothing is to be answered (only
/// notifications).
pub fn handle_body(chain: &Mutex<Chain>, body: &[u8]) -> Option<Value> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(_) => return Some(error_response(Value::Null, RpcError::new(PARSE_ERROR, "Parse error"))),
    };
    match value {
        Value::Array(items) => {
            if items.is_empty() {
                return Some(error_response(Value::Null, RpcError::new(INVALID_REQUEST, "Invalid request")));
            }
            let responses: Vec<Value> = items.into_iter().filter_map(|item| handle_one(chain, item)).collect();
            if responses.is_empty() {
                None
            } else {
                Some(Value::Array(responses))
            }
        }
        other => handle_one(chain, other),
    }
}

fn handle_one(chain: &Mutex<Chain>, item: Value) -> Option<Value> {
    let invalid = |id: Value| Some(error_response(id, RpcError::new(INVALID_REQUEST, "Invalid request")));
    let Value::Object(mut request) = item else {
        return invalid(Value::Null);
    };
    let id = request.remove("id");
    let response_id = match &id {
        None | Some(Value::Null) => Value::Null,
        Some(v @ (Value::String(_) | Value::Number(_))) => v.clone(),
        Some(_) => return invalid(Value::Null),
    };
    if request.get("jsonrpc") != Some(&Value::String("2.0".into())) {
        return invalid(response_id);
    }
    let Some(Value::String(method)) = request.remove("method") else {
        return invalid(response_id);
    };
    let result = match Params::new(request.remove("params")) {
        Err(err) => Err(err),
        Ok(params) => {
            let mut guard = chain.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            catch_unwind(AssertUnwindSafe(|| methods::call(&mut guard, &method, &params))).unwrap_or_else(|panic| {
                let reason = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "unknown".into());
                Err(RpcError::new(INTERNAL_ERROR, format!("Internal error: {reason}")))
            })
        }
    };
    // A request without an id is a notification: executed, never answered.
    id.as_ref()?;
    Some(match result {
        Ok(result) => json!({ "jsonrpc": "2.0", "result": result, "id": response_id }),
        Err(error) => error_response(response_id, error),
    })
}

/// Positional parameters.
pub struct Params(Vec<Value>);

impl Params {
    fn new(params: Option<Value>) -> Result<Params, RpcError> {
        match params {
            None | Some(Value::Null) => Ok(Params(Vec::new())),
            Some(Value::Array(list)) => Ok(Params(list)),
            Some(_) => Err(RpcError::invalid_params("Invalid params: `params` must be an array")),
        }
    }

    /// The value at `index`, `None` when absent or null.
    pub fn get(&self, index: usize) -> Option<&Value> {
        self.0.get(index).filter(|v| !v.is_null())
    }

    pub fn required(&self, index: usize, name: &str) -> Result<&Value, RpcError> {
        self.get(index).ok_or_else(|| {
            RpcError::invalid_params(format!(
                "Invalid params: missing `{name}` (`params` should have at least {} argument(s))",
                index + 1
            ))
        })
    }

    pub fn string(&self, index: usize, name: &str) -> Result<&str, RpcError> {
        self.required(index, name)?
            .as_str()
            .ok_or_else(|| RpcError::invalid_params(format!("Invalid param: `{name}` must be a string")))
    }

    pub fn pubkey(&self, index: usize, name: &str) -> Result<Pubkey, RpcError> {
        parse_pubkey(self.string(index, name)?, name)
    }

    pub fn u64(&self, index: usize, name: &str) -> Result<u64, RpcError> {
        self.required(index, name)?
            .as_u64()
            .ok_or_else(|| RpcError::invalid_params(format!("Invalid param: `{name}` must be an unsigned integer")))
    }

    pub fn string_list(&self, index: usize, name: &str) -> Result<Vec<String>, RpcError> {
        let list = self
            .required(index, name)?
            .as_array()
            .ok_or_else(|| RpcError::invalid_params(format!("Invalid param: `{name}` must be an array of strings")))?;
        list.iter()
            .map(|v| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    RpcError::invalid_params(format!("Invalid param: `{name}` must be an array of strings"))
                })
            })
            .collect()
    }

    /// The optional config object at `index` (absent or null gives an empty config).
    pub fn config(&self, index: usize) -> Result<Config, RpcError> {
        match self.get(index) {
            None => Ok(Config(Map::new())),
            Some(Value::Object(map)) => {
                let config = Config(map.clone());
                config.check_commitment()?;
                Ok(config)
            }
            Some(_) => Err(RpcError::invalid_params("Invalid param: configuration must be an object")),
        }
    }
}

pub fn parse_pubkey(s: &str, name: &str) -> Result<Pubkey, RpcError> {
    Pubkey::from_str(s)
        .map_err(|_| RpcError::invalid_params(format!("Invalid param: `{name}` is not a valid base58 public key: {s}")))
}

pub fn parse_signature(s: &str, name: &str) -> Result<Signature, RpcError> {
    Signature::from_str(s)
        .map_err(|_| RpcError::invalid_params(format!("Invalid param: `{name}` is not a valid base58 signature: {s}")))
}

/// A method's configuration object (`{"commitment": ..., "encoding": ...}`).
pub struct Config(Map<String, Value>);

impl Config {
    fn check_commitment(&self) -> Result<(), RpcError> {
        for key in ["commitment", "preflightCommitment"] {
            match self.0.get(key) {
                None | Some(Value::Null) => {}
                Some(Value::String(level))
                    if matches!(
                        level.as_str(),
                        "processed" | "confirmed" | "finalized" | "recent" | "single" | "singleGossip" | "root" | "max"
                    ) => {}
                Some(other) => {
                    return Err(RpcError::invalid_params(format!(
                        "Invalid param: `{key}` must be processed, confirmed or finalized, got {other}"
                    )))
                }
            }
        }
        Ok(())
    }

    pub fn str(&self, key: &str) -> Result<Option<&str>, RpcError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(RpcError::invalid_params(format!("Invalid param: `{key}` must be a string"))),
        }
    }

    pub fn bool(&self, key: &str) -> Result<bool, RpcError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(RpcError::invalid_params(format!("Invalid param: `{key}` must be a boolean"))),
        }
    }

    pub fn u64(&self, key: &str) -> Result<Option<u64>, RpcError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| RpcError::invalid_params(format!("Invalid param: `{key}` must be an unsigned integer"))),
        }
    }

    pub fn value(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }
}
