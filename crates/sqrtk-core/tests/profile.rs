//! The per-phase profile of a training step (its own test binary: the counters are global).

use sqrtk_core::profile::{self, Phase};
use sqrtk_core::{AdamConfig, Batch, Config, Network, Target};

#[test]
fn a_profiled_step_times_every_phase_and_the_same_weights_result() {
    let (inputs, outputs, b, t) = (3, 2, 8, 6);
    let config = Config { seed: 4, ..Config::with_sizes(inputs, 300, outputs, 20) };
    let x: Vec<f32> = (0..b * t * inputs).map(|i| (i % 7) as f32 / 7.0 - 0.5).collect();
    let labels: Vec<i32> = (0..b as i32).map(|s| s % 2).collect();
    let batch = Batch { x: &x, size: b, steps: t, target: Target::Labels(&labels) };
    let opt = AdamConfig::default();
    let (mut plain, mut timed) = (Network::new(config.clone()).unwrap(), Network::new(config).unwrap());

    plain.train_batch(&batch, &opt).unwrap();
    assert!(profile::enable(true));
    timed.train_batch(&batch, &opt).unwrap();
    let totals = profile::totals_ms();
    profile::enable(false);

    assert_eq!(plain.state_hash(), timed.state_hash(), "timing changed the result");
    let ms = |p: Phase| totals[p as usize].1;
    for p in Phase::ALL {
        assert!(ms(p) > 0.0, "phase {} was not timed", p.name());
    }
    let parts: f64 = Phase::ALL.iter().filter(|&&p| p != Phase::Step).map(|&p| ms(p)).sum();
    // One thread here (no workers spawned): the parts are inside the step's wall time.
    assert!(parts <= ms(Phase::Step) * 1.001, "parts {parts} ms exceed the step {} ms", ms(Phase::Step));
    assert!(profile::totals_ms().iter().all(|(_, ms)| *ms == 0.0), "disabling clears the counters");
}
