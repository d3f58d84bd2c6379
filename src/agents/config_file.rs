//! Reading agent settings from JSON files strictly.

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::file::{format_error, io_error};
use crate::error::AgentError;

/// Reads settings of type `C` from the JSON file at `path`, strictly: a key that is not a
/// setting (a typo such as `learnig_rate`) is an error that names it, and every setting the
/// file leaves out takes its value from `defaults` (pass the builder's defaults, e.g.
/// `DqnConfig::new()`, so that an omitted `learning_rate_schedule` is the documented default
/// rather than none). The result is not validated: the agent's constructor does that.
///
/// ```
/// use cinder_rl::agents::{DqnConfig, read_config};
///
/// # fn main() -> Result<(), cinder_rl::error::AgentError> {
/// let dir = std::env::temp_dir().join(format!("cinder-config-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("dqn.json");
/// std::fs::write(&path, r#"{ "gamma": 0.98 }"#).unwrap();
/// let config = read_config(&path, &DqnConfig::new())?;
/// assert_eq!(config.gamma, 0.98);
/// assert_eq!(config.learning_rate_schedule, DqnConfig::new().learning_rate_schedule);
///
/// std::fs::write(&path, r#"{ "learnig_rate": 0.1 }"#).unwrap();
/// let error = read_config(&path, &DqnConfig::new()).unwrap_err();
/// assert!(error.to_string().contains("learnig_rate"));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok(())
/// # }
/// ```
pub fn read_config<C: Serialize + DeserializeOwned>(
    path: &Path,
    defaults: &C,
) -> Result<C, AgentError> {
    let text = std::fs::read_to_string(path).map_err(|e| io_error(path, e))?;
    config_from_json(&text, defaults).map_err(|reason| format_error(path, reason))
}

/// [`read_config`] on JSON text; the error says what is wrong.
pub fn config_from_json<C: Serialize + DeserializeOwned>(
    text: &str,
    defaults: &C,
) -> Result<C, String> {
    let given: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let mut merged = serde_json::to_value(defaults).map_err(|e| e.to_string())?;
    let mut unknown = Vec::new();
    merge(&mut merged, given, "", &mut unknown)?;
    if !unknown.is_empty() {
        return Err(format!("unknown settings: {}", unknown.join(", ")));
    }
    serde_json::from_value(merged).map_err(|e| format!("invalid settings: {e}"))
}

/// Whether `object` is an enum value as serde writes it (`{"Variant": ...}`): its one key
/// starts with a capital letter, unlike a struct's snake-case fields.
fn is_variant(object: &Map<String, Value>) -> bool {
    object.len() == 1
        && object
            .keys()
            .all(|k| k.starts_with(|c: char| c.is_ascii_uppercase()))
}

/// Lays `given` over `defaults`, field by field through structs; an enum value or a plain
/// value is taken whole. Keys `defaults` does not have are collected in `unknown`.
fn merge(
    defaults: &mut Value,
    given: Value,
    at: &str,
    unknown: &mut Vec<String>,
) -> Result<(), String> {
    match (defaults, given) {
        (Value::Object(fields), Value::Object(given)) if !is_variant(fields) => {
            for (key, value) in given {
                let name = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                match fields.get_mut(&key) {
                    Some(field) => merge(field, value, &name, unknown)?,
                    None => unknown.push(format!("`{name}`")),
                }
            }
            Ok(())
        }
        (Value::Object(_), given) if at.is_empty() => Err(format!(
            "expected an object of settings, found {}",
            kind(&given)
        )),
        (slot, given) => {
            *slot = given;
            Ok(())
        }
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
