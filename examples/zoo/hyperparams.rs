//! Per-environment settings of an algorithm: the TOML tables of `hyperparams/<algo>.toml`,
//! changed by a file of the same form and by `--set KEY=VALUE`.

use std::path::Path;

use serde_json::Value;

/// The settings of one algorithm on one environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Hyperparams {
    /// The preset the agent settings start from.
    pub preset: String,
    /// The step budget.
    pub max_env_steps: u64,
    /// The network's hidden widths (`None`: the preset's).
    pub hidden: Option<Vec<usize>>,
    /// Environment copies DQN collects from together (1: one environment). The other
    /// algorithms take theirs from their agent settings (`num_envs`).
    pub n_envs: usize,
    /// Agent settings replacing the preset's, as `--config` JSON reads them.
    pub agent: Value,
    /// Where the settings came from, for the log.
    pub source: String,
}

/// The keys a table may hold.
const KEYS: [&str; 5] = ["preset", "max_env_steps", "hidden", "n_envs", "agent"];

/// The table for `env` in `text` (the file `name`), or its `default` table; `None` if it has
/// neither.
fn table(text: &str, name: &str, env: &str) -> Result<Option<(String, toml::Table)>, String> {
    let mut tables: toml::Table = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
    for key in [env, "default"] {
        if let Some(value) = tables.remove(key) {
            let toml::Value::Table(table) = value else {
                return Err(format!("{name}: [{key}] must be a table"));
            };
            return Ok(Some((format!("{name} [{key}]"), table)));
        }
    }
    Ok(None)
}

/// Merges `over` into `base`, tables key by key, other values replaced.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(base)), toml::Value::Table(over)) => merge(base, over),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// `KEY=VALUE` as a one-entry table at the dotted path `KEY`; `VALUE` is read as TOML (`3`,
/// `1e-3`, `[64, 64]`, `{ HardEverySteps = 500 }`), else as a string.
fn assignment(set: &str) -> Result<toml::Table, String> {
    let (key, value) = set
        .split_once('=')
        .ok_or_else(|| format!("--set {set:?}: expected KEY=VALUE"))?;
    let value: toml::Value = match toml::from_str::<toml::Table>(&format!("v = {value}")) {
        Ok(mut parsed) => parsed
            .remove("v")
            .unwrap_or(toml::Value::String(value.into())),
        Err(_) => toml::Value::String(value.to_string()),
    };
    let mut path: Vec<&str> = key.trim().split('.').collect();
    if path.iter().any(|k| k.is_empty()) {
        return Err(format!("--set {set:?}: empty key"));
    }
    let mut nested = toml::Table::new();
    let last = path.pop().unwrap_or_default();
    nested.insert(last.to_string(), value);
    for key in path.into_iter().rev() {
        let mut outer = toml::Table::new();
        outer.insert(key.to_string(), toml::Value::Table(nested));
        nested = outer;
    }
    Ok(nested)
}

/// The settings for `env`: the built-in table (`builtin`, the text of `builtin_name`), the
/// table of `file` over it, then each `--set`. An unknown key, a value of the wrong type or
/// an unreadable file is an error that names it.
pub fn resolve(
    builtin_name: &str,
    builtin: &str,
    file: Option<&Path>,
    env: &str,
    sets: &[String],
) -> Result<Hyperparams, String> {
    let (mut source, mut settings) = table(builtin, builtin_name, env)?
        .ok_or_else(|| format!("{builtin_name}: no [{env}] or [default] table"))?;
    if let Some(path) = file {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
        if let Some((from, over)) = table(&text, &name, env)? {
            merge(&mut settings, over);
            source = format!("{source}, {from}");
        }
    }
    for set in sets {
        merge(&mut settings, assignment(set)?);
        source = format!("{source}, --set {set}");
    }
    if let Some(unknown) = settings.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!(
            "{source}: unknown key `{unknown}` (keys: {})",
            KEYS.join(", ")
        ));
    }
    let field = |key: &str| settings.get(key).cloned();
    let typed = |key: &str, what: &str| format!("{source}: `{key}` must be {what}");
    let preset = match field("preset") {
        Some(toml::Value::String(name)) => name,
        Some(_) => return Err(typed("preset", "a preset name")),
        None => return Err(format!("{source}: no `preset`")),
    };
    let max_env_steps = match field("max_env_steps") {
        Some(toml::Value::Integer(n)) if n > 0 => n as u64,
        Some(_) => return Err(typed("max_env_steps", "a positive integer")),
        None => return Err(format!("{source}: no `max_env_steps`")),
    };
    let hidden = match field("hidden") {
        None => None,
        Some(toml::Value::Array(widths)) => Some(
            widths
                .iter()
                .map(|w| match w {
                    toml::Value::Integer(w) if (1..=16_384).contains(w) => Ok(*w as usize),
                    _ => Err(typed("hidden", "a list of widths from 1 to 16384")),
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(_) => return Err(typed("hidden", "a list of widths")),
    };
    let n_envs = match field("n_envs") {
        None => 1,
        Some(toml::Value::Integer(n)) if (1..=65_536).contains(&n) => n as usize,
        Some(_) => return Err(typed("n_envs", "a number of copies from 1 to 65536")),
    };
    let agent = match field("agent") {
        None => Value::Object(Default::default()),
        Some(agent @ toml::Value::Table(_)) => {
            // JSON has no NaN or infinity: they would arrive as null, which an optional
            // setting reads as "none" instead of as the mistake it is.
            if let Some((key, value)) = non_finite(&agent, "agent".into()) {
                return Err(format!(
                    "{source}: `{key}` is {value}; agent settings take finite numbers"
                ));
            }
            serde_json::to_value(agent).map_err(|e| e.to_string())?
        }
        Some(_) => return Err(typed("agent", "a table of agent settings")),
    };
    Ok(Hyperparams {
        preset,
        max_env_steps,
        hidden,
        n_envs,
        agent,
        source,
    })
}

/// The first float in `value` (its key path from `path`) that is NaN or infinite.
fn non_finite(value: &toml::Value, path: String) -> Option<(String, f64)> {
    match value {
        toml::Value::Float(x) if !x.is_finite() => Some((path, *x)),
        toml::Value::Table(table) => table
            .iter()
            .find_map(|(key, value)| non_finite(value, format!("{path}.{key}"))),
        toml::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, value)| non_finite(value, format!("{path}[{i}]"))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUILTIN: &str = r#"
[default]
preset = "tuned"
max_env_steps = 1000

["Acrobot-v1"]
preset = "sb3"
max_env_steps = 100
hidden = [8, 8]

["Acrobot-v1".agent]
gamma = 0.9
target_update = { HardEverySteps = 250 }
"#;

    #[test]
    fn tables_fall_back_to_default_and_sets_change_them() {
        let acrobot = resolve("b.toml", BUILTIN, None, "Acrobot-v1", &[]).unwrap();
        assert_eq!(acrobot.preset, "sb3");
        assert_eq!(
            (acrobot.max_env_steps, acrobot.hidden),
            (100, Some(vec![8, 8]))
        );
        assert_eq!(acrobot.agent["target_update"]["HardEverySteps"], 250);
        assert_eq!(acrobot.n_envs, 1);
        let vectorized = resolve("b.toml", BUILTIN, None, "Acrobot-v1", &["n_envs=4".into()]);
        assert_eq!(vectorized.unwrap().n_envs, 4);
        let other = resolve("b.toml", BUILTIN, None, "Pendulum-v1", &[]).unwrap();
        assert_eq!(
            (other.preset.as_str(), other.max_env_steps),
            ("tuned", 1000)
        );
        let sets = [
            "agent.gamma=0.5".to_string(),
            "max_env_steps=7".into(),
            "preset=minimal".into(),
        ];
        let changed = resolve("b.toml", BUILTIN, None, "Acrobot-v1", &sets).unwrap();
        assert_eq!(changed.agent["gamma"], 0.5);
        assert_eq!(changed.agent["target_update"]["HardEverySteps"], 250);
        assert_eq!(
            (changed.max_env_steps, changed.preset.as_str()),
            (7, "minimal")
        );
    }

    #[test]
    fn mistakes_are_named() {
        let unknown = resolve("b.toml", BUILTIN, None, "Acrobot-v1", &["gama=1".into()]);
        assert!(unknown.unwrap_err().contains("unknown key `gama`"));
        let negative = resolve(
            "b.toml",
            BUILTIN,
            None,
            "Acrobot-v1",
            &["max_env_steps=-5".into()],
        );
        assert!(negative.unwrap_err().contains("max_env_steps"));
        let no_copies = resolve("b.toml", BUILTIN, None, "Acrobot-v1", &["n_envs=0".into()]);
        assert!(no_copies.unwrap_err().contains("n_envs"));
        let bare = resolve("b.toml", BUILTIN, None, "Acrobot-v1", &["agent".into()]);
        assert!(bare.unwrap_err().contains("KEY=VALUE"));
        let missing = resolve(
            "b.toml",
            BUILTIN,
            Some(Path::new("/nonexistent.toml")),
            "x",
            &[],
        );
        assert!(missing.unwrap_err().contains("/nonexistent.toml"));
        for (set, key) in [
            ("agent.max_grad_norm=nan", "`agent.max_grad_norm` is NaN"),
            ("agent.learning_rate=inf", "`agent.learning_rate` is inf"),
            (
                "agent.exploration={Linear={start=1.0,end=-inf,duration=10}}",
                "`agent.exploration.Linear.end` is -inf",
            ),
        ] {
            let error = resolve("b.toml", BUILTIN, None, "Acrobot-v1", &[set.into()]).unwrap_err();
            assert!(error.contains(key), "{set}: {error}");
        }
    }
}
