//! The fully resolved network configuration. TypeScript fills in defaults and validates with
//! user-facing messages; [`Config::validate`] re-checks every rule so that no input can make
//! the core panic.

use serde::{Deserialize, Serialize};

use crate::error::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Connectivity {
    /// Each synapse exists with probability k / neurons: in-degree Binomial(neurons − 1, k / neurons).
    ErdosRenyi,
    /// Exactly k partners per neuron.
    FixedIndegree,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dynamics {
    /// h_t = φ(W h_{t−1} + W_in x_t + b)
    Discrete,
    /// Euler step of τ dx/dt = −x + W φ(x) + W_in u + b, with α = dt / τ.
    Rate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    Tanh,
    Relu,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// One label per sequence, read out from the mean logits of the last `readout_steps` steps.
    CrossEntropy,
    /// Per-step targets with an optional per-step mask.
    Mse,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Growth {
    /// Learned partners drawn at random once and never changed: the baseline.
    Random,
    /// RigL-style: drop the weakest learned synapses, grow the absent ones with the largest gradient.
    Gradient,
    /// The gradient score on `candidates` × (slots to fill) random absent partners per neuron.
    Sampled,
    /// DEEP R: fixed-sign learned synapses die at zero and are regrown at random.
    DeepR,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// In-degree = backbone in-degree + learned.
    Add,
    /// Each learned synapse replaces a pruned backbone synapse of the same neuron, so every
    /// in-degree keeps its original Binomial(N − 1, K/N) value.
    Hidden,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scaling {
    /// Backbone weights gain · N(0, 1) / √k (with Dale's law: signed magnitudes, see `populations`).
    #[default]
    Standard,
    /// Balanced-network weights J_ab / √k_ab per block and a drive √k_aE · J_a0 per population
    /// (van Vreeswijk & Sompolinsky 1998).
    Balanced,
}

/// Mean in-degrees per block: `k_ab` is how many inputs a neuron of population a receives from
/// population b on average (E = excitatory, I = inhibitory).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Blocks {
    #[serde(rename = "kEE")]
    pub k_ee: f64,
    #[serde(rename = "kEI")]
    pub k_ei: f64,
    #[serde(rename = "kIE")]
    pub k_ie: f64,
    #[serde(rename = "kII")]
    pub k_ii: f64,
}

/// Balanced-network couplings J_ab (the weight of a b → a synapse is J_ab / √k_ab) and external
/// drives J_a0 (the bias of population a is √k_aE · J_a0).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Couplings {
    #[serde(rename = "EE")]
    pub ee: f64,
    #[serde(rename = "EI")]
    pub ei: f64,
    #[serde(rename = "IE")]
    pub ie: f64,
    #[serde(rename = "II")]
    pub ii: f64,
    #[serde(rename = "E0")]
    pub e0: f64,
    #[serde(rename = "I0")]
    pub i0: f64,
}

impl Default for Couplings {
    /// van Vreeswijk & Sompolinsky (1998, Neural Comput. 10:1321): J_EE = J_IE = 1,
    /// J_EI = −2, J_II = −1.8, external drives E·m0 = 1 · 0.1 and I·m0 = 0.8 · 0.1.
    fn default() -> Self {
        Couplings { ee: 1.0, ei: -2.0, ie: 1.0, ii: -1.8, e0: 0.1, i0: 0.08 }
    }
}
/// The state x_0 every sequence starts from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InitialState {
    /// x_0 = 0.
    #[default]
    Zero,
    /// In a training pass x_0 ~ N(0, σ0²) per neuron and sequence, σ0 = [`INITIAL_STATE_SD`],
    /// from [`crate::rng::Stream::InitialState`]; x_0 = 0 (the mean) when no noise is asked.
    Random,
    /// A trained vector x_0 [neurons], starting at 0 (`Tensors::x0`).
    Learned,
}

/// σ0 of `initialState: 'random'`.
pub const INITIAL_STATE_SD: f32 = 1.0;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Config {
    pub inputs: usize,
    pub neurons: usize,
    pub outputs: usize,
    pub k: usize,
    /// Learned synapses per neuron (M).
    pub learned: usize,
    pub connectivity: Connectivity,
    pub dynamics: Dynamics,
    pub tau: f32,
    pub dt: f32,
    pub activation: Activation,
    /// Initial recurrent weights are gain · N(0, 1) / √k.
    pub gain: f32,
    pub train_backbone: bool,
    pub growth: Growth,
    pub mode: Mode,
    /// `sampled`: candidates scored per slot to fill.
    pub candidates: usize,
    /// `deep_r`: L1 shrinkage of learned weights per step (in units of the learning rate).
    pub deep_r_l1: f32,
    /// `deep_r`: temperature of the exploration noise (0 = none).
    pub deep_r_temperature: f32,
    pub loss: Loss,
    pub readout_steps: usize,
    pub seed: u64,
    /// Fraction of excitatory neurons: neurons 0..round(excitatory · neurons) are excitatory, the
    /// rest inhibitory. `None`: no populations.
    #[serde(default)]
    pub excitatory: Option<f64>,
    /// Dale's law: every synapse of an excitatory neuron is ≥ 0, of an inhibitory one ≤ 0.
    #[serde(default)]
    pub dale: bool,
    /// Per-block mean in-degrees of the backbone (`None`: k split by population size).
    #[serde(default)]
    pub blocks: Option<Blocks>,
    #[serde(default)]
    pub scaling: Scaling,
    #[serde(default)]
    pub couplings: Couplings,
    /// `add` mode: at most this many learned synapses leave any one neuron (0 = no cap).
    #[serde(default)]
    pub max_learned_out: usize,
    /// `rate` dynamics: σ of the private noise σ·√(2α)·ξ added to every state at every step
    /// of a training pass (0 = none).
    #[serde(default)]
    pub noise: f32,
    #[serde(default)]
    pub initial_state: InitialState,
}

impl Config {
    /// A configuration with the given sizes and every other option at its default (the same
    /// defaults as the TypeScript API): learned = round(√k), discrete tanh dynamics,
    /// Erdős–Rényi backbone, random growth in add mode, cross-entropy, seed 0.
    pub fn with_sizes(inputs: usize, neurons: usize, outputs: usize, k: usize) -> Config {
        Config {
            inputs,
            neurons,
            outputs,
            k,
            learned: (k as f64).sqrt().round() as usize,
            connectivity: Connectivity::ErdosRenyi,
            dynamics: Dynamics::Discrete,
            tau: 10.0,
            dt: 1.0,
            activation: Activation::Tanh,
            gain: 1.0,
            train_backbone: true,
            growth: Growth::Random,
            mode: Mode::Add,
            candidates: 10,
            deep_r_l1: 0.0,
            deep_r_temperature: 0.0,
            loss: Loss::CrossEntropy,
            readout_steps: 1,
            seed: 0,
            excitatory: None,
            dale: false,
            blocks: None,
            scaling: Scaling::Standard,
            couplings: Couplings::default(),
            max_learned_out: 0,
            noise: 0.0,
            initial_state: InitialState::Zero,
        }
    }

    /// Euler factor α = dt / τ (1 for discrete dynamics).
    pub fn alpha(&self) -> f32 {
        match self.dynamics {
            Dynamics::Discrete => 1.0,
            Dynamics::Rate => self.dt / self.tau,
        }
    }

    pub fn validate(&self) -> Result<(), Error> {
        let positive = |name: &str, v: usize| {
            if v == 0 {
                Err(Error::option(name, v, "must be at least 1", &format!("set {name} to a positive integer")))
            } else {
                Ok(())
            }
        };
        positive("inputs", self.inputs)?;
        positive("outputs", self.outputs)?;
        positive("k", self.k)?;
        positive("readoutSteps", self.readout_steps)?;
        if self.neurons < 2 {
            return Err(Error::option("neurons", self.neurons, "must be at least 2", "raise neurons"));
        }
        if self.neurons > u32::MAX as usize / 2 {
            return Err(Error::option("neurons", self.neurons, "must be below 2^31", "lower neurons"));
        }
        if self.k >= self.neurons {
            let rule = format!("must be less than neurons (={})", self.neurons);
            return Err(Error::option("k", self.k, &rule, "lower k or raise neurons"));
        }
        if self.dynamics == Dynamics::Rate {
            if !(self.tau.is_finite() && self.tau > 0.0) {
                return Err(Error::option("tau", self.tau, "must be a positive number", "use e.g. tau: 10"));
            }
            if !(self.dt.is_finite() && self.dt > 0.0 && self.dt <= self.tau) {
                let rule = format!("must be positive and at most tau (={})", self.tau);
                return Err(Error::option("dt", self.dt, &rule, "use e.g. dt: 1"));
            }
        }
        positive("candidates", self.candidates)?;
        for (name, v) in [("deepRL1", self.deep_r_l1), ("deepRTemperature", self.deep_r_temperature)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::option(name, v, "must be a finite number ≥ 0", &format!("use e.g. {name}: 0")));
            }
        }
        if !(self.noise.is_finite() && self.noise >= 0.0) {
            return Err(Error::option("noise", self.noise, "must be a finite number ≥ 0", "use e.g. noise: 0.05"));
        }
        if self.noise > 0.0 && self.dynamics != Dynamics::Rate {
            let fix = "set dynamics: 'rate' or noise: 0";
            return Err(Error::option(
                "noise",
                self.noise,
                "needs dynamics 'rate' (private noise is a rate-model term)",
                fix,
            ));
        }
        if !(self.gain.is_finite() && self.gain >= 0.0) {
            return Err(Error::option("gain", self.gain, "must be a finite number ≥ 0", "use e.g. gain: 1"));
        }
        crate::populations::validate(self)
    }
}

#[cfg(test)]
pub(crate) fn small_config() -> Config {
    Config { learned: 2, seed: 1, ..Config::with_sizes(3, 40, 4, 6) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_camel_case_json_and_rejects_unknown_fields() {
        let json = serde_json::to_string(&small_config()).unwrap();
        assert!(json.contains("\"trainBackbone\":true") && json.contains("\"erdos_renyi\""));
        let back: Config = serde_json::from_str(&json).unwrap();
        assert_eq!(back, small_config());
        let bad = json.replace("\"seed\":1", "\"seed\":1,\"sede\":2");
        assert!(serde_json::from_str::<Config>(&bad).is_err());
    }

    #[test]
    fn validation_names_the_option() {
        let mut c = small_config();
        c.k = 40;
        let e = c.validate().unwrap_err();
        assert_eq!(e.message, "k (=40) must be less than neurons (=40); lower k or raise neurons");
        let mut c = small_config();
        c.dynamics = Dynamics::Rate;
        c.dt = 20.0;
        assert!(c.validate().unwrap_err().message.starts_with("dt (=20)"));
    }
}
