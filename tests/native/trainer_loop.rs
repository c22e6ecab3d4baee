//! The trainer's one loop, driven as the worker drives it: commands arrive through a channel while
//! steps, reads and saves are in flight. Each race the page used to lose is scripted here.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use backprop_playground::block_on;
use backprop_playground::data::{Dataset, Split};
use backprop_playground::fine_tune::FINE_TUNE_STEPS;
use backprop_playground::settings::PlaygroundSettings;
use backprop_playground::snapshot::RunSnapshot;
use backprop_playground::trainer::budget::MemoryBudget;
use backprop_playground::i18n::Text;
use backprop_playground::protocol::{BackendInfo, BackendKind, BackpropSample, Command, Event, LabelledDigit, Notice, Phase, decode, encode};
use backprop_playground::trainer::store::{MemoryStore, RunStore, StoredRun};
use backprop_playground::trainer::{Prepared, Trainer, answer_while, serve};
use burn::tensor::Device;
use futures_channel::mpsc::{UnboundedSender, unbounded};
use futures_lite::future::{yield_now, zip};

/// A store whose saves and loads can be held open, to script what arrives meanwhile.
#[derive(Clone, Default)]
struct GatedStore {
    inner: Rc<RefCell<MemoryStore>>,
    /// While false, a save (or load) waits.
    save_open: Rc<Cell<bool>>,
    load_open: Rc<Cell<bool>>,
    saves_started: Rc<Cell<usize>>,
    loads_started: Rc<Cell<usize>>,
    clears: Rc<Cell<usize>>,
}

impl GatedStore {
    fn open() -> Self {
        let store = Self::default();
        store.save_open.set(true);
        store.load_open.set(true);
        store
    }
}

async fn wait_for(open: &Cell<bool>) {
    while !open.get() {
        yield_now().await;
    }
}

impl RunStore for GatedStore {
    async fn save(&mut self, snapshot: &RunSnapshot) -> Result<(), Text> {
        self.saves_started.set(self.saves_started.get() + 1);
        wait_for(&self.save_open).await;
        self.inner.borrow_mut().save(snapshot).await
    }

    async fn load(&mut self) -> Result<StoredRun, Text> {
        self.loads_started.set(self.loads_started.get() + 1);
        wait_for(&self.load_open).await;
        self.inner.borrow_mut().load().await
    }

    async fn clear(&mut self) -> Result<(), Text> {
        self.clears.set(self.clears.get() + 1);
        self.inner.borrow_mut().clear().await
    }

    async fn keep_recent(&mut self, id: u64, snapshot: &RunSnapshot) -> Result<(), Text> {
        self.inner.borrow_mut().keep_recent(id, snapshot).await
    }

    async fn recent(&mut self) -> Result<Vec<(u64, StoredRun)>, Text> {
        self.inner.borrow_mut().recent().await
    }

    async fn latest_elsewhere(&mut self, dataset: Dataset) -> Result<Option<RunSnapshot>, Text> {
        self.inner.borrow_mut().latest_elsewhere(dataset).await
    }

    async fn forget_recent(&mut self, id: u64) -> Result<(), Text> {
        self.inner.borrow_mut().forget_recent(id).await
    }
}

type Events = Rc<RefCell<Vec<Event>>>;

fn trainer(store: GatedStore) -> (Trainer<GatedStore>, Events) {
    let events: Events = Rc::default();
    let sink = events.clone();
    let trainer = Trainer::new(store, Rc::new(move |e| sink.borrow_mut().push(e)));
    (trainer, events)
}

fn prepared() -> Prepared {
    let pretrained = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/www/models/pretrained-mnist.safetensors")).map_err(|e| e.to_string());
    Prepared {
        train: super::mnist(Split::Train).first(640),
        test: super::mnist(Split::Test).first(100),
        device: Device::flex(),
        backend: BackendInfo { kind: BackendKind::Cpu, name: Text::verbatim("CPU"), reason: Text::verbatim("test") },
        pretrained: Some(pretrained),
        budget: MemoryBudget::cpu(),
    }
}

/// Yields until `done` holds; a scripted step that never happens fails instead of hanging.
async fn until(what: &str, done: impl Fn() -> bool) {
    for _ in 0..2_000_000 {
        if done() {
            return;
        }
        yield_now().await;
    }
    panic!("gave up waiting for: {what}");
}

fn count(events: &Events, pick: impl Fn(&Event) -> bool) -> usize {
    events.borrow().iter().filter(|e| pick(e)).count()
}

fn losses(events: &Events) -> usize {
    events.borrow().iter().map(|e| if let Event::Losses(l) = e { l.len() } else { 0 }).sum()
}

fn last_phase(events: &Events) -> Option<Phase> {
    events.borrow().iter().rev().find_map(|e| if let Event::Phase(p) = e { Some(p.clone()) } else { None })
}

fn last_predictor(events: &Events) -> String {
    events.borrow().iter().rev().find_map(|e| if let Event::Predictor { description, .. } = e { Some(description.english()) } else { None }).unwrap_or_default()
}

fn notices(events: &Events, to: Notice) -> Vec<String> {
    events.borrow().iter().filter_map(|e| match e { Event::Notice { to: t, text: Some(text) } if *t == to => Some(text.english()), _ => None }).collect()
}

fn errors(events: &Events) -> Vec<String> {
    events.borrow().iter().filter_map(|e| if let Event::Error(t) = e { Some(t.english()) } else { None }).collect()
}

const SMALL: &str = "hidden=32,16";

/// Prepares, then serves commands from `script` until it drops its sender.
fn run_script<F: std::future::Future<Output = ()>>(trainer: &mut Trainer<GatedStore>, script: impl FnOnce(UnboundedSender<Command>) -> F) {
    run_script_with(trainer, PlaygroundSettings::default(), script);
}

/// [`run_script`] for a page opened with `settings` (its link's).
fn run_script_with<F: std::future::Future<Output = ()>>(trainer: &mut Trainer<GatedStore>, settings: PlaygroundSettings, script: impl FnOnce(UnboundedSender<Command>) -> F) {
    let (sender, mut commands) = unbounded();
    block_on(zip(
        async {
            trainer.prepare(prepared(), settings).await;
            serve(trainer, &mut commands, yield_now).await;
        },
        script(sender),
    ));
}

fn send(sender: &UnboundedSender<Command>, command: Command) {
    sender.unbounded_send(command).expect("the loop is running");
}

#[test]
fn reset_during_a_save_wins_and_the_forgotten_run_is_not_written_back() {
    let store = GatedStore::open();
    let (mut trainer, events) = trainer(store.clone());
    let events_in = events.clone();
    let gate = store.clone();
    run_script(&mut trainer, |sender| async move {
        until("ready", || last_phase(&events_in) == Some(Phase::Ready)).await;
        gate.save_open.set(false);
        send(&sender, Command::Step { settings: SMALL.into() });
        until("the step's snapshot is being saved", || gate.saves_started.get() == 1).await;
        send(&sender, Command::Reset);
        gate.save_open.set(true);
        until("the reset cleared the store", || gate.clears.get() == 1).await;
    });
    assert_eq!(store.inner.borrow().saves, vec![1], "one save, of step 1, before the reset");
    assert!(store.inner.borrow().saved.is_none(), "the forgotten run was written back after Reset");
    assert_eq!(trainer.steps(), 0);
    assert_eq!(trainer.phase(), &Phase::Ready);
    assert!(last_predictor(&events).starts_with("pretrained model"), "{}", last_predictor(&events));
}

#[test]
fn applying_step_five_to_the_live_model_during_training_keeps_the_run() {
    let (mut trainer, events) = trainer(GatedStore::open());
    let events_in = events.clone();
    run_script(&mut trainer, |sender| async move {
        until("ready", || last_phase(&events_in) == Some(Phase::Ready)).await;
        send(&sender, Command::Train { settings: format!("{SMALL}&epochs=50") });
        until("a few steps", || losses(&events_in) >= 3).await;
        // Sent together, so they are handled back to back between two chunks of training.
        send(&sender, Command::Backprop { sample: BackpropSample::Test(0), settings: SMALL.into() });
        send(&sender, Command::ApplyUpdate { live: true });
        until("the update was applied", || notices(&events_in, Notice::Backprop).iter().any(|n| n.starts_with("Applied to the live model"))).await;
        let applied_at = losses(&events_in);
        until("training goes on", || losses(&events_in) >= applied_at + 3).await;
        send(&sender, Command::Pause);
        until("paused", || last_phase(&events_in) == Some(Phase::Paused)).await;
    });
    // Every trained step has its loss, plus the one applied step: nothing restarted from scratch.
    assert_eq!(trainer.steps(), losses(&events) + 1);
    let steps: Vec<usize> = events.borrow().iter().filter_map(|e| if let Event::Progress(p) = e { Some(p.steps) } else { None }).collect();
    assert!(steps.windows(2).all(|w| w[0] <= w[1]), "steps went backwards (a fresh model): {steps:?}");
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
}

/// A candidate WebGPU device lost while the trainer is on the CPU (auto mode timing it) must not
/// touch the run: only a trainer on the GPU moves.
#[test]
fn a_gpu_lost_while_training_on_the_cpu_changes_nothing() {
    let (mut trainer, events) = trainer(GatedStore::open());
    let events_in = events.clone();
    run_script(&mut trainer, |sender| async move {
        until("ready", || last_phase(&events_in) == Some(Phase::Ready)).await;
        send(&sender, Command::Step { settings: SMALL.into() });
        until("one step", || losses(&events_in) == 1).await;
        send(&sender, Command::GpuLost { reason: "Device was destroyed.".into() });
        send(&sender, Command::Step { settings: SMALL.into() });
        until("a second step", || losses(&events_in) == 2).await;
    });
    assert_eq!(trainer.steps(), 2, "the run went on from step 1");
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    assert_eq!(backends(&events).len(), 1, "no move to another backend: {:?}", backends(&events));
}

fn my_digits() -> Vec<LabelledDigit> {
    let test = super::mnist(Split::Test).first(3);
    (0..3).map(|i| LabelledDigit { pixels: test.image(i).to_vec(), label: 6 }).collect()
}

#[test]
fn reset_after_fine_tune_ends_on_the_pretrained_model_and_fine_tune_after_reset_trains_it() {
    let store = GatedStore::open();
    let (mut trainer, events) = trainer(store.clone());
    let events_in = events.clone();
    let cleared = store.clone();
    run_script(&mut trainer, |sender| async move {
        until("ready", || last_phase(&events_in) == Some(Phase::Ready)).await;
        send(&sender, Command::FineTune { digits: my_digits(), settings: String::new() });
        send(&sender, Command::Reset);
        until("reset", || cleared.clears.get() == 1).await;
    });
    assert_eq!(trainer.steps(), 0, "Reset came last, so no fine-tuned run survives it");
    assert!(last_predictor(&events).starts_with("pretrained model"), "{}", last_predictor(&events));
    assert!(store.inner.borrow().saved.is_none());

    let (mut trainer, events) = self::trainer(GatedStore::open());
    let events_in = events.clone();
    run_script(&mut trainer, |sender| async move {
        until("ready", || last_phase(&events_in) == Some(Phase::Ready)).await;
        send(&sender, Command::Reset);
        send(&sender, Command::FineTune { digits: my_digits(), settings: String::new() });
        until("fine-tuned", || notices(&events_in, Notice::Drawing).iter().any(|n| n.starts_with("Fine-tuned"))).await;
    });
    assert_eq!(trainer.steps(), FINE_TUNE_STEPS);
    assert!(last_predictor(&events).starts_with(&format!("model trained here ({FINE_TUNE_STEPS} steps")), "{}", last_predictor(&events));
}

#[test]
fn train_pressed_during_the_restore_continues_the_restored_run() {
    let store = GatedStore::open();
    let (mut first, first_events) = trainer(store.clone());
    let events_in = first_events.clone();
    run_script(&mut first, |sender| async move {
        until("ready", || last_phase(&events_in) == Some(Phase::Ready)).await;
        for _ in 0..3 {
            send(&sender, Command::Step { settings: format!("{SMALL}&epochs=50") });
        }
        until("three steps saved", || count(&events_in, |e| matches!(e, Event::Persistence(_))) >= 4).await;
    });
    assert_eq!(store.inner.borrow().saves, vec![1, 2, 3]);

    // A reload: the saved run is being restored when Train arrives.
    store.load_open.set(false);
    let (mut second, events) = trainer(store.clone());
    let events_in = events.clone();
    let gate = store.clone();
    run_script(&mut second, |sender| async move {
        until("the restore has started", || gate.loads_started.get() == 2).await;
        send(&sender, Command::Train { settings: SMALL.into() });
        gate.load_open.set(true);
        until("training", || losses(&events_in) >= 2).await;
        send(&sender, Command::Pause);
        until("paused", || last_phase(&events_in) == Some(Phase::Paused)).await;
    });
    let restored = notices(&events, Notice::Restored);
    assert!(restored.iter().any(|n| n.contains("epoch 0, step 3")), "{restored:?}");
    let first_progress = events.borrow().iter().find_map(|e| if let Event::Progress(p) = e { Some(p.steps) } else { None });
    assert!(first_progress > Some(3), "training continued the restored run from step 3: {first_progress:?}");
    assert_eq!(second.steps(), 3 + losses(&events), "the new losses continue the restored 3 steps");
    assert_eq!(second.phase(), &Phase::Paused, "never stuck in Training");
}

fn backprop_views(events: &Events) -> Vec<backprop_playground::backprop_step::BackpropView> {
    events.borrow().iter().filter_map(|e| if let Event::Backprop(Ok(v)) = e { Some(v.clone()) } else { None }).collect()
}

#[test]
fn a_stale_backprop_view_after_an_architecture_change_is_recomputed_not_applied() {
    let (mut trainer, events) = trainer(GatedStore::open());
    let events_in = events.clone();
    run_script(&mut trainer, |sender| async move {
        until("ready", || last_phase(&events_in) == Some(Phase::Ready)).await;
        // The view is of the 4-layer pretrained model …
        send(&sender, Command::Backprop { sample: BackpropSample::Test(0), settings: "hidden=64".into() });
        until("a view", || backprop_views(&events_in).len() == 1).await;
        // … then a 2-layer network trains, and step 5 is applied to a copy.
        send(&sender, Command::Step { settings: "hidden=64".into() });
        send(&sender, Command::ApplyUpdate { live: false });
        until("an answer", || !notices(&events_in, Notice::Backprop).is_empty()).await;
        send(&sender, Command::ApplyUpdate { live: false });
        until("applied", || notices(&events_in, Notice::Backprop).len() == 2).await;
    });
    let views = backprop_views(&events);
    assert_eq!(views.first().map(|v| v.layers.len()), Some(4));
    assert_eq!(views.last().map(|v| v.layers.len()), Some(2), "recomputed for the network that trains now");
    let said = notices(&events, Notice::Backprop);
    assert!(said[0].starts_with("The model changed since these numbers were computed"), "{said:?}");
    assert!(said[1].starts_with("Applied to a copy") && said[1].ends_with('✔'), "{said:?}");
}

#[test]
fn step_five_uses_the_runs_learning_rate_and_adam_moments() {
    let (mut trainer, events) = trainer(GatedStore::open());
    let events_in = events.clone();
    run_script(&mut trainer, |sender| async move {
        until("ready", || last_phase(&events_in) == Some(Phase::Ready)).await;
        for _ in 0..2 {
            send(&sender, Command::Step { settings: format!("{SMALL}&lr=0.01") });
        }
        // The form now says 0.5, but the run trains at 0.01: step 5 must show the run's.
        send(&sender, Command::Backprop { sample: BackpropSample::Test(3), settings: format!("{SMALL}&lr=0.5") });
        until("a view", || backprop_views(&events_in).len() == 1).await;
        send(&sender, Command::ApplyUpdate { live: false });
        until("applied", || !notices(&events_in, Notice::Backprop).is_empty()).await;
    });
    let view = backprop_views(&events).remove(0);
    assert!(view.checks.iter().all(|c| c.ok()), "closed form, autodiff and finite differences agree: {:?}", view.checks);
    assert_eq!(view.layers.len(), 3);
    assert_eq!(view.update.learning_rate, 0.01);
    assert_eq!(view.update.adam_t, 3, "two steps taken, so this is Adam's third");
    assert!(view.update.adam_m_before != 0.0 && view.update.adam_v_before > 0.0, "{:?}", view.update);
    let said = notices(&events, Notice::Backprop);
    assert!(said[0].ends_with('✔'), "burn's Adam with the run's moments equals the written-out step: {said:?}");
}

#[test]
fn commands_and_events_round_trip_through_the_wire_format() {
    let command = Command::LoadWeights { name: "m.safetensors".into(), bytes: vec![0, 1, 255], settings: "lr=0.01".into() };
    assert_eq!(decode::<Command>(&encode(&command).unwrap()).unwrap(), command);
    let event = Event::Losses(vec![2.3, f32::NAN, f32::INFINITY]);
    let Event::Losses(back) = decode::<Event>(&encode(&event).unwrap()).unwrap() else { panic!("not losses") };
    assert_eq!(back[0], 2.3);
    assert!(back[1].is_nan() && back[2] == f32::INFINITY);
    assert!(decode::<Command>(&[0xff, 0xff, 0xff]).is_err(), "garbage is refused, not misread");
    // The weight tiles travel as one byte string: every number comes back, NaN included, and a
    // cut-off message is refused.
    let tiles = backprop_playground::inspect::FirstLayerTiles { units: 1, weights: (0..783).map(|i| i as f32 * -0.001).chain([f32::NAN]).collect(), biases: vec![0.5], scale: 0.783, model_version: 9 };
    let wire = encode(&Event::WeightTiles(tiles.clone())).unwrap();
    let Event::WeightTiles(back) = decode::<Event>(&wire).unwrap() else { panic!("not tiles") };
    assert_eq!(back.weights[..783], tiles.weights[..783]);
    assert!(back.weights[783].is_nan());
    assert_eq!((back.units, back.biases.clone(), back.scale, back.model_version), (1, vec![0.5], 0.783, 9));
    assert!(wire.len() < 784 * 4 + 64, "about four bytes a weight: {}", wire.len());
    assert!(decode::<Event>(&wire[..wire.len() - 10]).is_err());
}

fn recent_lists(events: &Events) -> Vec<Vec<backprop_playground::protocol::RecentModel>> {
    events.borrow().iter().filter_map(|e| if let Event::Recent(l) = e { Some(l.clone()) } else { None }).collect()
}

fn prediction(events: &Events, id: u64) -> Option<Vec<f32>> {
    events.borrow().iter().find_map(|e| match e { Event::Prediction { id: i, activations } if *i == id => Some(activations.probabilities.clone()), _ => None })
}

fn same(a: &[f32], b: &[f32]) -> bool {
    a.len() == 10 && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6)
}

/// Predictions come from a copy of the predicting model's weights (`cpu_forward`): a new copy after
/// every step, the same answer while nothing changed.
#[test]
fn a_prediction_follows_every_step_and_repeats_while_the_model_stays() {
    let (mut trainer, events) = trainer(GatedStore::open());
    let events_in = events.clone();
    let digit = super::mnist(Split::Test).first(1).image(0).to_vec();
    run_script(&mut trainer, |sender| async move {
        until("ready", || last_phase(&events_in) == Some(Phase::Ready)).await;
        send(&sender, Command::Predict { id: 1, pixels: digit.clone() });
        send(&sender, Command::Step { settings: SMALL.into() });
        send(&sender, Command::Predict { id: 2, pixels: digit.clone() });
        send(&sender, Command::Step { settings: SMALL.into() });
        send(&sender, Command::Predict { id: 3, pixels: digit.clone() });
        send(&sender, Command::Predict { id: 4, pixels: digit.clone() });
        until("four answers", || prediction(&events_in, 4).is_some()).await;
    });
    let answers: Vec<Vec<f32>> = (1..=4).map(|id| prediction(&events, id).unwrap()).collect();
    assert!(!same(&answers[0], &answers[1]), "the first step changed the prediction");
    assert!(!same(&answers[1], &answers[2]), "the second step changed it again");
    assert_eq!(answers[2], answers[3], "the same model answers the same");
}

#[test]
fn reset_keeps_the_trained_run_in_recent_models_and_undo_brings_back_the_same_predictions() {
    let store = GatedStore::open();
    let (mut trainer, events) = trainer(store.clone());
    let events_in = events.clone();
    let digit = super::mnist(Split::Test).first(1).image(0).to_vec();
    run_script(&mut trainer, |sender| async move {
        until("ready", || last_phase(&events_in) == Some(Phase::Ready)).await;
        for _ in 0..2 {
            send(&sender, Command::Step { settings: format!("{SMALL}&epochs=50") });
        }
        send(&sender, Command::Predict { id: 1, pixels: digit.clone() });
        send(&sender, Command::Reset);
        send(&sender, Command::Predict { id: 2, pixels: digit.clone() });
        send(&sender, Command::Undo);
        send(&sender, Command::Predict { id: 3, pixels: digit.clone() });
        until("three answers", || prediction(&events_in, 3).is_some()).await;
    });
    let (trained, after_reset, undone) = (prediction(&events, 1).unwrap(), prediction(&events, 2).unwrap(), prediction(&events, 3).unwrap());
    assert!(!same(&trained, &after_reset), "Reset predicts with the pretrained model");
    assert!(same(&trained, &undone), "Undo brings back the same model: {trained:?} vs {undone:?}");
    assert_eq!(trainer.steps(), 2);
    let kept = recent_lists(&events).last().cloned().unwrap_or_default();
    assert!(kept.iter().any(|m| m.because.english() == "Reset" && m.steps == 2), "{kept:?}");
    assert_eq!(store.inner.borrow().recent.len(), kept.len(), "every recent model is in the store too");
    let offers: Vec<Option<String>> = events.borrow().iter().filter_map(|e| if let Event::UndoOffer(o) = e { Some(o.as_ref().map(Text::english)) } else { None }).collect();
    assert!(offers.iter().any(|o| o.as_deref().is_some_and(|t| t.contains("Reset") && t.contains("2 steps"))), "{offers:?}");
    assert_eq!(offers.last(), Some(&None), "after Undo there is nothing left to undo");
}

#[test]
fn every_destructive_action_keeps_a_trained_run_at_most_five_and_divergence_keeps_the_good_weights() {
    let store = GatedStore::open();
    let (mut trainer, events) = trainer(store.clone());
    let events_in = events.clone();
    let pretrained = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/www/models/pretrained-mnist.safetensors")).unwrap();
    run_script(&mut trainer, |sender| async move {
        until("ready", || last_phase(&events_in) == Some(Phase::Ready)).await;
        let step = |s: &str| Command::Step { settings: format!("{SMALL}&{s}") };
        send(&sender, step("epochs=1"));
        send(&sender, Command::UsePretrained { settings: String::new() }); // keeps the 1-step run
        send(&sender, Command::UsePretrained { settings: String::new() }); // nothing trained since: nothing kept
        send(&sender, step("epochs=1"));
        send(&sender, Command::LoadWeights { name: "p.safetensors".into(), bytes: pretrained, settings: String::new() });
        send(&sender, Command::Reset); // the loaded model never trained: nothing kept
        send(&sender, Command::Train { settings: format!("{SMALL}&epochs=1") });
        until("finished", || last_phase(&events_in) == Some(Phase::Finished)).await;
        send(&sender, step("epochs=1")); // a new run: the finished one is kept
        send(&sender, Command::Reset);
        // One good step is read first, so the last good weights have trained.
        send(&sender, Command::Step { settings: "optimizer=sgd&lr=10&epochs=50".into() });
        send(&sender, Command::Train { settings: "optimizer=sgd&lr=10&epochs=50".into() });
        until("diverged", || matches!(last_phase(&events_in), Some(Phase::Diverged(_)))).await;
        send(&sender, Command::Reset); // the good weights are kept already: not twice
    });
    let kept = recent_lists(&events).last().cloned().unwrap_or_default();
    let because: Vec<String> = kept.iter().map(|m| m.because.english()).collect();
    let because: Vec<&str> = because.iter().map(String::as_str).collect();
    assert_eq!(kept.len(), 5, "at most five: {because:?}");
    assert_eq!(because[0], "the loss diverged: these are the last good weights", "{because:?}");
    assert!(because.contains(&"Reset") && because.contains(&"a new run started after it ended"), "{because:?}");
    assert!(because.contains(&"Load weights (p.safetensors)"), "{because:?}");
    let total_kept = events.borrow().iter().filter(|e| matches!(e, Event::UndoOffer(Some(_)))).count();
    assert_eq!(total_kept, 6, "Use pretrained, Load weights, a new run, Reset, divergence, and the last Reset offering the divergence's entry");
    assert_eq!(store.inner.borrow().recent.len(), 5);
}

#[test]
fn an_over_budget_network_is_refused_with_the_estimate_and_the_page_keeps_working() {
    let (mut trainer, events) = trainer(GatedStore::open());
    let events_in = events.clone();
    run_script(&mut trainer, |sender| async move {
        until("ready", || last_phase(&events_in) == Some(Phase::Ready)).await;
        send(&sender, Command::Train { settings: "hidden=4096,4096,4096,4096&batch=8192".into() });
        send(&sender, Command::Step { settings: SMALL.into() });
        until("the small network stepped", || losses(&events_in) == 1).await;
    });
    let refused = errors(&events);
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].starts_with("This network needs about 4,192 MB to train (53,600,266 parameters"), "{}", refused[0]);
    assert!(refused[0].contains("more than the 1,024 MB allowed on the CPU path in wasm"), "{}", refused[0]);
    assert_eq!(trainer.steps(), 1);
    assert_eq!(trainer.run_config().map(|c| c.model.hidden.clone()), Some(vec![32, 16]));
}

fn backends(events: &Events) -> Vec<BackendInfo> {
    events.borrow().iter().filter_map(|e| if let Event::Backend(b) = e { Some(b.clone()) } else { None }).collect()
}

/// A trainer as auto mode leaves it on a software adapter: on the CPU, a WebGPU candidate being timed
/// (here a CPU device standing in for it).
fn trainer_with_webgpu_candidate() -> (Trainer<GatedStore>, Events) {
    let (mut trainer, events) = trainer(GatedStore::open());
    let candidate = BackendInfo { kind: BackendKind::WebGpu, name: Text::verbatim("WebGPU (test)"), reason: Text::verbatim("") };
    trainer.set_backend_candidate(Device::flex(), candidate, MemoryBudget::cpu());
    (trainer, events)
}

/// The verdict on the candidate (after `first`, if any), then one step.
fn verdict_then_a_step(trainer: &mut Trainer<GatedStore>, events: &Events, first: Option<Command>, gpu: f64, cpu: f64) {
    let events_in = events.clone();
    run_script(trainer, |sender| async move {
        until("ready", || last_phase(&events_in) == Some(Phase::Ready)).await;
        if let Some(command) = first {
            send(&sender, command);
        }
        send(&sender, Command::BackendMeasured { gpu: Ok(gpu), cpu: Ok(cpu), adapter: "SwiftShader".into() });
        send(&sender, Command::Step { settings: SMALL.into() });
        until("a step", || losses(&events_in) == 1).await;
    });
}

/// Auto mode on a software adapter: ready at once on the CPU path, the candidate timed in the
/// background. Faster: the run moves there mid-training with its weights, Adam state and steps.
#[test]
fn a_candidate_backend_that_measures_faster_takes_the_run_along_and_a_slower_one_is_only_reported() {
    let (mut trainer, events) = trainer_with_webgpu_candidate();
    let events_in = events.clone();
    let digit = super::mnist(Split::Test).first(1).image(0).to_vec();
    run_script(&mut trainer, |sender| async move {
        until("ready", || last_phase(&events_in) == Some(Phase::Ready)).await;
        send(&sender, Command::Step { settings: SMALL.into() });
        send(&sender, Command::Step { settings: SMALL.into() });
        send(&sender, Command::Predict { id: 1, pixels: digit.clone() });
        until("two steps and an answer", || prediction(&events_in, 1).is_some()).await;
        send(&sender, Command::BackendMeasured { gpu: Ok(900.0), cpu: Ok(300.0), adapter: "test".into() });
        send(&sender, Command::Predict { id: 2, pixels: digit.clone() });
        until("an answer on the new backend", || prediction(&events_in, 2).is_some()).await;
        // A second report has no candidate left: nothing changes.
        send(&sender, Command::BackendMeasured { gpu: Ok(10.0), cpu: Ok(300.0), adapter: "test".into() });
        send(&sender, Command::Step { settings: SMALL.into() });
        until("a third step", || losses(&events_in) == 3).await;
    });
    let switched = backends(&events);
    let last = switched.last().expect("a backend event");
    assert_eq!(last.kind, BackendKind::WebGpu, "{switched:?}");
    assert_eq!(last.reason.english(), "measured: WebGPU 900 images/s, CPU 300 images/s");
    assert_eq!(switched.len(), 2, "the start and the switch only: {switched:?}");
    assert!(same(&prediction(&events, 1).unwrap(), &prediction(&events, 2).unwrap()), "the same weights answer after the move");
    assert_eq!(trainer.steps(), 3, "the run went on from step 2");
    assert_eq!(trainer.run_config().map(|c| c.model.hidden.clone()), Some(vec![32, 16]));
}

#[test]
fn a_candidate_backend_that_measures_slower_leaves_the_run_on_the_cpu_with_the_figures() {
    let (mut trainer, events) = trainer_with_webgpu_candidate();
    verdict_then_a_step(&mut trainer, &events, None, 90.0, 4000.0);
    let last = backends(&events).last().cloned().expect("a backend event");
    assert_eq!(last.kind, BackendKind::Cpu);
    assert_eq!(last.reason.english(), "measured: CPU 4000 images/s, WebGPU 90 images/s on the software adapter “SwiftShader”");
}

/// The candidate's device is lost after its timing finished but before the verdict arrived: the
/// run must not move onto the dead device.
#[test]
fn a_candidate_device_lost_before_its_verdict_leaves_the_run_on_the_cpu() {
    let (mut trainer, events) = trainer_with_webgpu_candidate();
    verdict_then_a_step(&mut trainer, &events, Some(Command::GpuLost { reason: "Device was destroyed.".into() }), 9000.0, 4000.0);
    assert!(backends(&events).iter().all(|b| b.kind == BackendKind::Cpu), "{:?}", backends(&events));
    let last = backends(&events).last().cloned().expect("a backend event");
    assert!(last.reason.english().contains("Device was destroyed"), "{}", last.reason.english());
}

/// The profiler: while training, one step in PROFILE_EVERY comes back split into its phases, with
/// the read time, the speed and the backend; a single Step is never sampled.
#[test]
fn training_sends_a_profile_every_fifty_steps_split_into_its_phases() {
    use backprop_playground::trainer::PROFILE_EVERY;
    let (mut trainer, events) = trainer(GatedStore::open());
    let events_in = events.clone();
    run_script(&mut trainer, |sender| async move {
        until("ready", || last_phase(&events_in) == Some(Phase::Ready)).await;
        // 640 images, batch 64: 10 steps an epoch, 12 epochs = 120 steps.
        send(&sender, Command::Train { settings: format!("{SMALL}&epochs=12") });
        until("finished", || last_phase(&events_in) == Some(Phase::Finished)).await;
    });
    let profiles: Vec<_> = events.borrow().iter().filter_map(|e| if let Event::Profile(p) = e { Some(p.clone()) } else { None }).collect();
    assert_eq!(losses(&events), 120, "every step's loss, the sampled ones included");
    assert!(!profiles.is_empty() && profiles.len() <= 120 / PROFILE_EVERY, "{} samples", profiles.len());
    for p in &profiles {
        assert!(p.forward_ms > 0.0 && p.backward_ms > 0.0 && p.update_ms > 0.0, "{p:?}");
        assert!(p.read_ms >= 0.0 && p.images_per_second > 0.0 && p.plain_step_ms > 0.0, "{p:?}");
        assert_eq!((p.backend, p.every), (BackendKind::Cpu, PROFILE_EVERY));
    }
    assert_eq!(trainer.steps(), 120);
}

fn tiles(events: &Events) -> Vec<backprop_playground::inspect::FirstLayerTiles> {
    events.borrow().iter().filter_map(|e| if let Event::WeightTiles(t) = e { Some(t.clone()) } else { None }).collect()
}

/// While the network view is open, every change of the predicting model brings new tiles (a step
/// changes them; before the first run they are the pretrained model's); once it is closed, none are sent.
#[test]
fn the_open_network_view_gets_tiles_that_follow_the_weights_and_a_closed_one_none() {
    let store = GatedStore::open();
    let (mut trainer, events) = trainer(store);
    let events_in = events.clone();
    run_script(&mut trainer, |sender| async move {
        until("ready", || last_phase(&events_in) == Some(Phase::Ready)).await;
        send(&sender, Command::WatchWeights { on: true });
        until("the first tiles", || tiles(&events_in).len() == 1).await;
        send(&sender, Command::Step { settings: format!("{SMALL}&epochs=50") });
        until("tiles after a step", || tiles(&events_in).len() == 2).await;
        send(&sender, Command::Step { settings: format!("{SMALL}&epochs=50") });
        until("tiles after the second step", || tiles(&events_in).len() == 3).await;
        send(&sender, Command::WatchWeights { on: false });
        send(&sender, Command::Step { settings: format!("{SMALL}&epochs=50") });
        until("the third step", || count(&events_in, |e| matches!(e, Event::Progress(p) if p.steps == 3)) > 0).await;
    });
    let shown = tiles(&events);
    assert_eq!(shown.len(), 3, "no tiles once the view is closed");
    let (pretrained, first, second) = (&shown[0], &shown[1], &shown[2]);
    assert_eq!(first.units, 32, "the run's first layer (hidden=32,16)");
    assert_eq!(pretrained.units, 512, "before the run: the pretrained model");
    assert_ne!(first.weights, second.weights, "a step changes the tiles");
    assert!(first.model_version < second.model_version);
    assert!(second.scale > 0.0 && second.weights.iter().filter(|w| w.abs() > second.scale).count() <= second.weights.len() / 100 + 1);
}

/// A tab that trained on MNIST and is reloaded with `?dataset=fashion`: the saved MNIST run is not
/// put on the clothes; it goes among the recent models (before a Fashion run could overwrite the
/// tab's record), the page says so, there is no pretrained model to predict with, and a Fashion run
/// cannot restore the MNIST one.
/// A new tab with no run of its own takes the latest run of its own dataset from the other tabs: a
/// newer Fashion-MNIST run elsewhere must not hide an older MNIST one.
#[test]
fn a_new_tab_restores_the_latest_run_of_its_dataset_from_other_tabs() {
    let saved_run = |settings: &str, steps: usize| {
        let store = GatedStore::open();
        let (mut tab, _) = trainer(store.clone());
        let (opened_with, _) = PlaygroundSettings::from_query(settings);
        run_script_with(&mut tab, opened_with, |sender| async move {
            for _ in 0..steps {
                send(&sender, Command::Step { settings: SMALL.into() });
            }
        });
        let saved = store.inner.borrow().saved.clone();
        saved.expect("the run was saved")
    };
    let mut mnist = saved_run("", 1);
    let mut fashion = saved_run("dataset=fashion", 2);
    assert_eq!(fashion.settings().dataset, Dataset::Fashion);
    mnist.meta.saved_at_ms = 1_000.0;
    fashion.meta.saved_at_ms = 2_000.0;

    let store = GatedStore::open();
    store.inner.borrow_mut().elsewhere = vec![mnist, fashion];
    let (mut new_tab, _) = trainer(store.clone());
    // The restore happens while the page opens, before any command.
    run_script(&mut new_tab, |_sender| async move {});
    assert_eq!(new_tab.steps(), 1, "the MNIST run of the other tab, not the newer clothes one");
}

#[test]
fn a_run_saved_on_mnist_is_kept_not_restored_when_the_page_opens_on_fashion() {
    let store = GatedStore::open();
    let (mut mnist_tab, _) = trainer(store.clone());
    run_script(&mut mnist_tab, |sender| async move {
        send(&sender, Command::Step { settings: SMALL.into() });
        send(&sender, Command::Step { settings: SMALL.into() });
    });
    assert_eq!(store.inner.borrow().saved.as_ref().map(|s| s.meta.steps), Some(2));

    let (mut fashion_tab, events) = trainer(store.clone());
    let events_in = events.clone();
    let (fashion, _) = PlaygroundSettings::from_query("dataset=fashion");
    let digit = super::mnist(Split::Test).first(1).image(0).to_vec();
    run_script_with(&mut fashion_tab, fashion, |sender| async move {
        until("ready", || last_phase(&events_in) == Some(Phase::Ready)).await;
        send(&sender, Command::Predict { id: 1, pixels: digit });
        until("an answer", || prediction(&events_in, 1).is_some()).await;
        let kept = recent_lists(&events_in).last().and_then(|l| l.first().map(|m| m.id));
        if let Some(id) = kept {
            send(&sender, Command::RestoreRecent { id });
        }
    });
    assert_eq!(fashion_tab.steps(), 0, "the MNIST run was not restored onto the clothes");
    let kept = recent_lists(&events).last().cloned().unwrap_or_default();
    assert!(kept.iter().any(|m| m.steps == 2 && m.because.english() == "Trained on the other dataset"), "{kept:?}");
    assert!(kept.iter().all(|m| m.settings.english().ends_with(", MNIST (handwritten digits)")), "the list says which dataset each model learnt: {kept:?}");
    assert_eq!(store.inner.borrow().recent.len(), 1, "kept in the store too");
    let said = notices(&events, Notice::Weights);
    assert!(said.iter().filter(|n| n.contains("learnt from MNIST")).count() >= 2, "at start-up and when asked to restore it: {said:?}");
    assert!(!events.borrow().iter().any(|e| matches!(e, Event::UndoOffer(Some(_)))), "Undo could not bring it back here");
    assert_eq!(prediction(&events, 1), Some(Vec::new()), "no pretrained model for Fashion-MNIST");
    assert!(notices(&events, Notice::Drawing).iter().any(|n| n.contains("no pretrained model")), "{:?}", notices(&events, Notice::Drawing));
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    assert!(store.inner.borrow().saved.is_none(), "moved, not copied: the tab's record went once the recent model was stored");

    // Reloading the Fashion page again adds no second copy, and no Undo is offered for a move.
    let (mut again, events) = trainer(store.clone());
    let (fashion, _) = PlaygroundSettings::from_query("dataset=fashion");
    let events_in = events.clone();
    run_script_with(&mut again, fashion, |_sender| async move {
        until("ready", || last_phase(&events_in) == Some(Phase::Ready)).await;
    });
    assert_eq!(store.inner.borrow().recent.len(), 1);
    assert_eq!(recent_lists(&events).last().map(Vec::len), Some(1));
    assert!(!events.borrow().iter().any(|e| matches!(e, Event::UndoOffer(Some(_)))));
}

/// The network view can show a test image instead of the drawing: its pixels, its true class and
/// every layer's output from the predicting model (here the pretrained one), for any index.
#[test]
fn a_chosen_test_image_comes_back_with_every_layers_output() {
    let store = GatedStore::open();
    let (mut trainer, events) = trainer(store);
    let events_in = events.clone();
    run_script(&mut trainer, |sender| async move {
        until("ready", || last_phase(&events_in) == Some(Phase::Ready)).await;
        send(&sender, Command::InspectTest { index: 3 });
        send(&sender, Command::InspectTest { index: 103 });
        until("two answers", || count(&events_in, |e| matches!(e, Event::Inspected { .. })) == 2).await;
    });
    let test = super::mnist(Split::Test).first(100);
    let answers: Vec<(usize, u8, Vec<u8>, backprop_playground::inspect::Activations)> = events
        .borrow()
        .iter()
        .filter_map(|e| match e {
            Event::Inspected { index, label, pixels, activations } => Some((*index, *label, pixels.clone(), activations.clone())),
            _ => None,
        })
        .collect();
    for (index, label, pixels, activations) in &answers {
        assert_eq!(*index, 3, "103 wraps round the 100 test images");
        assert_eq!((*label, pixels.as_slice()), (test.label(3), test.image(3)));
        assert_eq!(activations.hidden.iter().map(Vec::len).collect::<Vec<_>>(), vec![512, 256, 128]);
        assert_eq!(backprop_playground::inference::top_prediction(&activations.probabilities).map(|p| p.0), Some(test.label(3)));
    }
}

/// While the data downloads the pretrained model already reads a drawing (on the CPU), everything
/// else waits its turn, and the prepared trainer then predicts the same with the model on its device.
#[test]
fn a_drawing_is_read_before_the_data_is_in_and_other_commands_wait() {
    let (mut trainer, events) = trainer(GatedStore::open());
    let digit = super::mnist(Split::Test).first(1).image(0).to_vec();
    let pretrained = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/www/models/pretrained-mnist.safetensors")).unwrap();
    block_on(async {
        // Before the model's file is in: answered with nothing (the page asks again), no message.
        assert!(trainer.handle_before_data(Command::Predict { id: 1, pixels: digit.clone() }).await.is_none());
        assert_eq!(prediction(&events, 1), Some(vec![]));
        assert_eq!(count(&events, |e| matches!(e, Event::Notice { .. })), 0);

        trainer.predict_before_data(Dataset::Mnist, &pretrained);
        assert!(last_predictor(&events).starts_with("pretrained model ("), "{}", last_predictor(&events));
        assert!(trainer.handle_before_data(Command::Predict { id: 2, pixels: digit.clone() }).await.is_none());
        let train = Command::Train { settings: SMALL.into() };
        assert_eq!(trainer.handle_before_data(train.clone()).await, Some(train), "a Train waits for the data");
        assert!(trainer.handle_before_data(Command::Reset).await.is_some());
        assert_eq!(trainer.steps(), 0);
        assert_eq!(*trainer.phase(), Phase::LoadingData(Default::default()));

        trainer.prepare(prepared(), PlaygroundSettings::default()).await;
        trainer.handle(Command::Predict { id: 3, pixels: digit.clone() }).await;
    });
    let early = prediction(&events, 2).unwrap();
    assert_eq!(early.len(), 10);
    assert!((early.iter().sum::<f32>() - 1.0).abs() < 1e-4);
    let label = super::mnist(Split::Test).first(1).label(0) as usize;
    assert_eq!(early.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i), Some(label), "the pretrained model reads the first test digit");
    assert!(same(&early, &prediction(&events, 3).unwrap()), "the prepared trainer's model answers the same");
    let versions: Vec<u64> = events.borrow().iter().filter_map(|e| if let Event::Predictor { version, .. } = e { Some(*version) } else { None }).collect();
    assert_eq!(versions, vec![1, 2], "the page is told twice, so it asks again");
}

/// Without a pretrained model (Fashion-MNIST) nothing predicts before the data; nothing breaks either.
#[test]
fn fashion_has_no_prediction_before_its_data() {
    let (mut trainer, events) = trainer(GatedStore::open());
    let pretrained = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/www/models/pretrained-mnist.safetensors")).unwrap();
    trainer.predict_before_data(Dataset::Fashion, &pretrained);
    block_on(async {
        assert!(trainer.handle_before_data(Command::Predict { id: 1, pixels: vec![0; 784] }).await.is_none());
    });
    assert_eq!(prediction(&events, 1), Some(vec![]));
    assert_eq!(count(&events, |e| matches!(e, Event::Predictor { .. })), 0);
}

/// The worker's download, as `answer_while` runs it: a prediction is answered while the download is
/// held open, every other command is held in arrival order, and what comes after it ends stays in
/// the channel for the loop.
#[test]
fn during_a_download_predictions_are_answered_and_the_rest_is_held_in_order() {
    let (mut trainer, events) = trainer(GatedStore::open());
    let pretrained = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/www/models/pretrained-mnist.safetensors")).unwrap();
    trainer.predict_before_data(Dataset::Mnist, &pretrained);
    let digit = super::mnist(Split::Test).first(1).image(0).to_vec();
    let (sender, mut commands) = unbounded();
    let downloaded = Rc::new(Cell::new(false));
    let mut held = Vec::new();
    let events_in = events.clone();
    let gate = downloaded.clone();
    let (result, ()) = block_on(zip(answer_while(&mut trainer, &mut commands, &mut held, async move {
        wait_for(&gate).await;
        "the datasets"
    }), async {
        send(&sender, Command::Train { settings: SMALL.into() });
        send(&sender, Command::Predict { id: 1, pixels: digit.clone() });
        send(&sender, Command::Reset);
        until("the prediction during the download", || prediction(&events_in, 1).is_some()).await;
        send(&sender, Command::Pause);
        for _ in 0..10 {
            yield_now().await;
        }
        downloaded.set(true);
        for _ in 0..10 {
            yield_now().await;
        }
        send(&sender, Command::Undo);
    }));
    assert_eq!(result, Some("the datasets"));
    assert_eq!(held, vec![Command::Train { settings: SMALL.into() }, Command::Reset, Command::Pause]);
    assert_eq!(commands.try_recv().ok(), Some(Command::Undo), "what came after the download is left for the loop");
    assert_eq!(prediction(&events, 1).map(|p| p.len()), Some(10));
}
