//! Ready-made SAC settings.

use super::SacConfig;

/// A named SAC configuration with the hidden widths of the MLPs (actor and critics) it was
/// made for.
#[derive(Debug, Clone)]
pub struct SacPreset {
    /// The name (`default`, `sb3`).
    pub name: &'static str,
    /// What it is.
    pub description: &'static str,
    /// The agent settings.
    pub config: SacConfig,
    /// The hidden layer widths of the actor and of each critic.
    pub hidden: Vec<usize>,
}

impl SacPreset {
    /// Every preset.
    pub fn all() -> Vec<SacPreset> {
        vec![Self::default_preset(), Self::sb3()]
    }

    /// The preset called `name`.
    ///
    /// ```
    /// use cinder_rl::agents::sac::SacPreset;
    ///
    /// let sb3 = SacPreset::named("sb3").unwrap();
    /// assert_eq!(sb3.hidden, [256, 256]);
    /// assert!(SacPreset::named("nope").is_none());
    /// ```
    pub fn named(name: &str) -> Option<SacPreset> {
        Self::all().into_iter().find(|p| p.name == name)
    }

    /// The default: [`SacConfig::new`] with 64-64 MLPs.
    pub fn default_preset() -> Self {
        Self {
            name: "default",
            description: "the crate's defaults: SB3's SAC at a learning rate of 1e-3 with 64-64 networks",
            config: SacConfig::new(),
            hidden: vec![64, 64],
        }
    }

    /// Stable-Baselines3's SAC defaults (`sac.py`, version 2.x): learning rate 3e-4 for the
    /// actor, the critics and α, 256-256 ReLU networks.
    pub fn sb3() -> Self {
        Self {
            name: "sb3",
            description: "Stable-Baselines3's SAC defaults (256-256 networks, learning rate 3e-4)",
            config: SacConfig::new()
                .with_actor_learning_rate(3e-4)
                .with_critic_learning_rate(3e-4)
                .with_alpha_learning_rate(3e-4),
            hidden: vec![256, 256],
        }
    }
}
