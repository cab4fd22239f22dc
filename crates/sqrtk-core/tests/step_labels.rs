//! Per-step labels: what the loss counts (scored steps, right steps, trials with every scored
//! step right) and which batches it refuses.

use sqrtk_core::{AdamConfig, Batch, Config, Network, Target};

/// A network whose outputs are the constant b_out = [0, 1, 0]: every step is classified as 1.
fn constant_class_one() -> Network {
    let mut net = Network::new(Config { learned: 1, seed: 3, ..Config::with_sizes(2, 12, 3, 4) }).unwrap();
    net.params.w_out.fill(0.0);
    net.params.b_out.copy_from_slice(&[0.0, 1.0, 0.0]);
    net
}

#[test]
fn counts_scored_steps_right_steps_and_right_trials() {
    let mut net = constant_class_one();
    let (size, steps) = (3, 4);
    let x = vec![0.3f32; size * steps * 2];
    #[rustfmt::skip]
    let labels = [
        -1, 1, 1, 1, // trial 0: three scored steps, all right
        0, 1, -1, 1, // trial 1: three scored steps, one wrong
        -1, -1, -1, -1, // trial 2: nothing scored
    ];
    let mask: Vec<f32> = labels.iter().map(|&l| if l < 0 { 0.0 } else { 1.0 }).collect();
    let batch = Batch { x: &x, size, steps, target: Target::StepLabels { labels: &labels, mask: Some(&mask) } };
    let score = net.evaluate(&batch).unwrap().score;
    assert_eq!((score.correct, score.scored, score.trials_correct), (5, 6, 1));
    // Logits [0, 1, 0]: cross-entropy −log(e/(2+e)) at a right step, −log(1/(2+e)) at a wrong one.
    let e = std::f64::consts::E;
    let right = (2.0 + e).ln() - 1.0;
    let wrong = (2.0 + e).ln();
    let expected = (5.0 * right + wrong) / 6.0;
    assert!((score.loss - expected).abs() < 1e-6, "loss {} vs {expected}", score.loss);
}

#[test]
fn mask_weights_the_mean() {
    let mut net = constant_class_one();
    let x = vec![0.0f32; 2 * 2];
    let labels = [1, 0];
    let weighted = |mask: &[f32], net: &mut Network| {
        let target = Target::StepLabels { labels: &labels, mask: Some(mask) };
        net.evaluate(&Batch { x: &x, size: 1, steps: 2, target }).unwrap().score.loss
    };
    let e = std::f64::consts::E;
    let (right, wrong) = ((2.0 + e).ln() - 1.0, (2.0 + e).ln());
    let loss = weighted(&[3.0, 1.0], &mut net);
    assert!((loss - (3.0 * right + wrong) / 4.0).abs() < 1e-6);
    assert_eq!(weighted(&[0.0, 0.0], &mut net), 0.0);
}

#[test]
fn refuses_bad_per_step_batches() {
    let mut net = constant_class_one();
    let x = vec![0.0f32; 2 * 3 * 2];
    type Case<'a> = (&'a [i32], Option<&'a [f32]>, &'a str);
    let cases: [Case; 4] = [
        (&[0, 1, 2, 0, 1], None, "labels has 5 entries; a class per step needs 6"),
        (&[0, 1, 3, 0, 1, 2], None, "labels[2] (=3) must be in 0..3 (outputs) at a scored step"),
        (&[0, 1, -1, 0, 1, 2], Some(&[1.0, 1.0, 1.0, 1.0, 1.0, 1.0]), "labels[2] (=-1) must be in 0..3"),
        (&[0, 1, 2, 0, 1, 2], Some(&[1.0, -1.0, 1.0, 1.0, 1.0, 1.0]), "mask[1] (=-1) must be a finite weight >= 0"),
    ];
    for (labels, mask, message) in cases {
        let batch = Batch { x: &x, size: 2, steps: 3, target: Target::StepLabels { labels, mask } };
        let err = net.train_batch(&batch, &AdamConfig::default()).unwrap_err();
        assert_eq!(err.code, "E_DATA");
        assert!(err.message.contains(message), "{} lacks {message}", err.message);
    }
    // A label of −1 at a step of weight 0 is ignored.
    let mask = [1.0, 1.0, 0.0, 1.0, 1.0, 1.0];
    let batch = Batch {
        x: &x,
        size: 2,
        steps: 3,
        target: Target::StepLabels { labels: &[0, 1, -1, 0, 1, 2], mask: Some(&mask) },
    };
    assert!(net.train_batch(&batch, &AdamConfig::default()).is_ok());
}
