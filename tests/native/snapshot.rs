use std::sync::Arc;

use backprop_playground::block_on;
use backprop_playground::data::Split;
use backprop_playground::run::TrainingRun;
use backprop_playground::settings::PlaygroundSettings;
use backprop_playground::snapshot::{EpochRecord, RunHistory, RunSnapshot};
use burn::tensor::Device;

fn weights(run: &TrainingRun) -> Vec<f32> {
    run.session().inference_model().layers.iter().flat_map(|l| l.weight.val().into_data().iter::<f32>().collect::<Vec<_>>()).collect()
}

/// What the page stores after a pause comes back as the same run: same weights, Adam state, settings,
/// position and history, so the next step is the step the original would have taken.
#[test]
fn a_snapshot_restores_the_run_where_it_stopped() {
    let device = Device::flex();
    let train = Arc::new(super::mnist(Split::Train).first(640));
    let test = Arc::new(super::mnist(Split::Test).first(100));
    let (settings, errors) = PlaygroundSettings::from_pairs([("hidden", "32,16"), ("lr", "0.002"), ("batch", "32"), ("epochs", "2")]);
    assert!(errors.is_empty());
    let mut run = TrainingRun::new(settings.training.clone(), train.clone(), test.clone(), &device);
    for _ in 0..7 {
        run.step();
    }
    block_on(run.read_losses()).unwrap();
    let history = RunHistory {
        losses: vec![2.3, 2.1, 1.9],
        epochs: vec![EpochRecord { epoch: 0, accuracy: 0.5, mean_loss: 1.5 }],
        log: vec!["Train Epoch: 0 [0/640 (0%)]\tLoss: 2.300000".into()],
        confusion: Some(vec![vec![1; 10]; 10]),
        mistakes: vec![(3, 5, 6)],
        ..RunHistory::default()
    };
    let snapshot = block_on(RunSnapshot::capture(&run, &settings, history.clone(), 1.7e12)).unwrap();
    assert!(snapshot.optimizer.is_some());

    // Through storage: bytes plus JSON.
    let stored = RunSnapshot::from_parts(snapshot.model.clone(), snapshot.optimizer.clone(), &snapshot.meta_json()).unwrap();
    assert_eq!(stored.meta.history, history.for_saving());
    assert_eq!(stored.meta.history.expanded().losses, history.losses);
    assert_eq!(stored.settings().training, settings.training);
    let (mut restored, dropped) = stored.restore(train, test, &device).unwrap();
    assert_eq!(dropped, None);
    assert_eq!(restored.progress(), run.progress());
    assert_eq!(weights(&restored), weights(&run));

    run.step();
    restored.step();
    assert_eq!(weights(&restored), weights(&run), "the next step is identical (same batch, same Adam moments)");
    assert!(RunSnapshot::from_parts(snapshot.model.clone(), None, "{not json").is_err());
}

fn small_snapshot(history: RunHistory) -> (RunSnapshot, Arc<backprop_playground::data::MnistDataset>, Arc<backprop_playground::data::MnistDataset>) {
    let device = Device::flex();
    let train = Arc::new(super::mnist(Split::Train).first(128));
    let test = Arc::new(super::mnist(Split::Test).first(50));
    let (settings, _) = PlaygroundSettings::from_pairs([("hidden", "16")]);
    let mut run = TrainingRun::new(settings.training.clone(), train.clone(), test.clone(), &device);
    run.step();
    block_on(run.read_losses()).unwrap();
    (block_on(RunSnapshot::capture(&run, &settings, history, 1.7e12)).unwrap(), train, test)
}

/// serde_json writes NaN and ∞ as `null` and refuses them on reading: one infinite mean loss used to
/// make the whole saved run unreadable.
#[test]
fn a_snapshot_round_trips_nan_and_infinite_numbers() {
    let history = RunHistory {
        losses: vec![2.3, f32::NAN, f32::INFINITY, f32::NEG_INFINITY],
        epochs: vec![EpochRecord { epoch: 0, accuracy: 0.1, mean_loss: f64::INFINITY }],
        ..RunHistory::default()
    };
    let (snapshot, train, test) = small_snapshot(history);
    let json = snapshot.meta_json();
    assert!(json.contains(r#""losses":[2.3,"NaN","inf","-inf"]"#), "{json}");
    let back = RunSnapshot::from_parts(snapshot.model.clone(), snapshot.optimizer.clone(), &json).expect("readable");
    let losses = &back.meta.history.losses;
    assert_eq!(losses[0], 2.3);
    assert!(losses[1].is_nan() && losses[2] == f32::INFINITY && losses[3] == f32::NEG_INFINITY, "{losses:?}");
    assert_eq!(back.meta.history.epochs[0].mean_loss, f64::INFINITY);
    assert!(back.restore(train, test, &Device::flex()).is_ok());
}

#[test]
fn a_version_one_record_with_nulls_is_migrated_and_a_newer_one_is_refused_with_a_reason() {
    let (snapshot, train, test) = small_snapshot(RunHistory { losses: vec![2.3, 2.2], ..RunHistory::default() });
    let v2 = snapshot.meta_json();
    let v1 = v2.replace(r#""version":3"#, r#""version":1"#).replace("[2.3,2.2]", "[2.3,null]");
    assert_ne!(v1, v2);
    let old = RunSnapshot::from_parts(snapshot.model.clone(), snapshot.optimizer.clone(), &v1).expect("a version 1 record reads");
    assert!(old.meta.history.losses[1].is_nan(), "null was a non-finite number");
    assert!(old.restore(train.clone(), test.clone(), &Device::flex()).is_ok());
    let newer = RunSnapshot::from_parts(snapshot.model.clone(), snapshot.optimizer.clone(), &v2.replace(r#""version":3"#, r#""version":99"#)).unwrap();
    let refused = newer.restore(train, test, &Device::flex()).err().expect("refused").english();
    assert!(refused.contains("newer version of the page (format 99"), "{refused}");
}

/// A long run's history is saved as at most 10,000 means (the snapshot stays small) and comes back
/// with one loss per step, each step showing its saved mean.
#[test]
fn a_long_loss_history_is_saved_bounded_and_restored_to_one_loss_per_step() {
    use backprop_playground::snapshot::MAX_SAVED_LOSSES;
    let losses: Vec<f32> = (0..25_001).map(|i| 2.0 / (1.0 + i as f32 / 1000.0)).collect();
    let history = RunHistory { losses: losses.clone(), ..RunHistory::default() };
    let saved = history.for_saving();
    assert!(saved.losses.len() <= MAX_SAVED_LOSSES, "{}", saved.losses.len());
    assert_eq!((saved.loss_stride, saved.loss_steps), (3, 25_001));
    let back = saved.expanded();
    assert_eq!(back.losses.len(), 25_001);
    let mean_of_first_three = (losses[0] + losses[1] + losses[2]) / 3.0;
    assert!((back.losses[0] - mean_of_first_three).abs() < 1e-6 && back.losses[2] == back.losses[0]);
    let last_two = (losses[24_999] + losses[25_000]) / 2.0;
    assert!((back.losses[25_000] - last_two).abs() < 1e-6, "the last, shorter run of steps is its own mean");
    let (snapshot, _, _) = small_snapshot(history);
    assert!(snapshot.meta_json().len() < 150_000, "{} bytes of JSON", snapshot.meta_json().len());
}

#[test]
fn why_an_older_page_kept_a_model_reads_back_as_a_message_in_either_language() {
    use backprop_playground::i18n::{Lang, Translations};
    let (snapshot, _, _) = small_snapshot(RunHistory::default());
    let json = snapshot.meta_json();
    assert!(json.contains(r#""kept_because":null"#), "{json}");
    let t = Translations::new();
    for (words, zh) in [("Load weights (mine.safetensors)", "加载权重（mine.safetensors）"), ("Reset", "重置"), ("something else", "something else")] {
        let old = json.replace(r#""kept_because":null"#, &format!(r#""kept_because":"{words}""#));
        let read = RunSnapshot::from_parts(snapshot.model.clone(), snapshot.optimizer.clone(), &old).expect("an older record reads");
        let because = read.meta.kept_because.expect("the reason is kept");
        assert_eq!(t.format(Lang::Zh, &because), zh);
        assert_eq!(t.format(Lang::En, &because), words);
    }
    // What this page writes comes back as the same message.
    let mut kept = snapshot.clone();
    kept.meta.kept_because = Some(backprop_playground::text!("because-load-weights", name = "a.safetensors"));
    let back = RunSnapshot::from_parts(kept.model.clone(), kept.optimizer.clone(), &kept.meta_json()).unwrap();
    assert_eq!(back.meta.kept_because, kept.meta.kept_because);
}
