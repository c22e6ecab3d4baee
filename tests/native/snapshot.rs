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
    };
    let snapshot = block_on(RunSnapshot::capture(&run, &settings, history.clone(), 1.7e12)).unwrap();
    assert!(snapshot.optimizer.is_some());

    // Through storage: bytes plus JSON.
    let stored = RunSnapshot::from_parts(snapshot.model.clone(), snapshot.optimizer.clone(), &snapshot.meta_json()).unwrap();
    assert_eq!(stored.meta.history, history);
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
