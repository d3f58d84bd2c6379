//! Ready-made TD3 settings.

use super::Td3Config;

/// A named TD3 configuration with the hidden widths of the MLPs (actor and critics) it was
/// made for.
#[derive(Debug, Clone)]
pub struct Td3Preset {
    /// The name (`default`, `sb3`).
    pub name: &'static str,
    /// What it is.
    pub description: &'static str,
    /// The agent settings.
    pub config: Td3Config,
    /// The hidden layer widths of the actor and of each critic.
    pub hidden: Vec<usize>,
}

impl Td3Preset {
    /// Every preset.
    pub fn all() -> Vec<Td3Preset> {
        vec![Self::default_preset(), Self::sb3()]
    }

    /// The preset called `name`.
    ///
    /// ```
    /// use cinder_rl::agents::td3::Td3Preset;
    ///
    /// let sb3 = Td3Preset::named("sb3").unwrap();
    /// assert_eq!(sb3.hidden, [400, 300]);
    /// assert!(Td3Preset::named("nope").is_none());
    /// ```
    pub fn named(name: &str) -> Option<Td3Preset> {
        Self::all().into_iter().find(|p| p.name == name)
    }

    /// The default: [`Td3Config::new`] with 64-64 MLPs.
    pub fn default_preset() -> Self {
        Self {
            name: "default",
            description: "the crate's defaults: SB3's TD3 with exploration noise 0.1 and 64-64 networks",
            config: Td3Config::new(),
            hidden: vec![64, 64],
        }
    }

    /// Stable-Baselines3's TD3 defaults (`td3.py`, version 2.x) with its 400-300 networks and
    /// the zoo's exploration noise of 0.1.
    pub fn sb3() -> Self {
        Self {
            name: "sb3",
            description: "Stable-Baselines3's TD3 defaults (400-300 networks, learning rate 1e-3)",
            config: Td3Config::new(),
            hidden: vec![400, 300],
        }
    }
}
