//! The page (wasm only). Components render [`state::PlaygroundState`] and send commands to
//! [`engine`]; all learning happens in the core modules.

mod backprop_panel;
mod bench;
mod browser;
mod charts;
mod compute_backend;
mod controls;
mod dataset_loader;
mod digit_image;
mod draw_panel;
mod engine;
mod model_store;
mod panels;
mod persistence;
mod state;
mod weights_panel;
mod worked_example;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use charts::{AccuracyChart, LossChart};
use compute_backend::choose_backend;
use controls::{SettingsForm, SettingsPanel, TrainingButtons};
use backprop_panel::BackpropPanel;
use draw_panel::DrawPanel;
use weights_panel::WeightsPanel;
use worked_example::WorkedExample;
use engine::{Engine, EngineHandle};
use panels::{ConfusionMatrix, MistakeGallery, TrainLog};
use state::{Phase, PlaygroundState};

use crate::settings::PlaygroundSettings;

/// Downloads the data, applies `?train=`/`?test=`, picks the backend; leaves the page Ready.
async fn prepare(engine: EngineHandle, state: PlaygroundState, settings: PlaygroundSettings, form: SettingsForm) {
    state.error.set(None);
    state.phase.set(Phase::LoadingData(Default::default()));
    let loaded = dataset_loader::load_mnist(|p| state.phase.set(Phase::LoadingData(p))).await;
    let (train, test) = match loaded {
        Ok(sets) => sets,
        Err(e) => {
            state.phase.set(Phase::DataFailed(e.clone()));
            state.error.set(Some(format!("The MNIST data could not be loaded: {e}")));
            return;
        }
    };
    let train = match settings.train_limit {
        Some(n) => train.first(n),
        None => train,
    };
    let test = match settings.test_limit {
        Some(n) => test.first(n),
        None => test,
    };
    state.dataset_sizes.set(Some((train.len(), test.len())));
    let sample = train.first(256);
    let (device, info) = choose_backend(settings.backend, &sample, |s| state.phase.set(Phase::ChoosingBackend(s.into()))).await;
    {
        let mut e = engine.borrow_mut();
        e.device = Some(device);
        e.backend_kind = Some(info.kind);
        e.train = Some(Arc::new(train));
        e.test = Some(Arc::new(test));
    }
    state.backend.set(Some(info));
    load_pretrained(&engine, state).await;
    state.phase.set(Phase::Ready);
    if let Some(saved) = persistence::restore_saved(&engine, &state).await {
        form.set_training(&saved);
    }
}

/// Where the page serves the pretrained model (copied from `www/models` by Trunk).
const PRETRAINED_URL: &str = "models/pretrained-mnist.safetensors";

/// Fetches the shipped pretrained model so the drawing panel can predict before any training.
async fn load_pretrained(engine: &EngineHandle, state: PlaygroundState) {
    let bytes = match dataset_loader::fetch_bytes(PRETRAINED_URL).await {
        Ok(b) => b,
        Err(e) => {
            state.error.set(Some(format!("The pretrained model could not be loaded ({e}); train one here instead.")));
            return;
        }
    };
    let Some(device) = engine.borrow().device.clone() else { return };
    match crate::weights_file::load(&bytes, &device) {
        Ok(loaded) => {
            let pretrained = engine::Pretrained { bytes: Rc::new(bytes), facts: loaded.facts };
            let mut e = engine.borrow_mut();
            if e.predictor.is_none() {
                e.predictor = Some(engine::Predictor { model: loaded.model, description: pretrained.describe() });
            }
            e.pretrained = Some(pretrained);
        }
        Err(e) => state.error.set(Some(format!("The pretrained model is damaged: {e}"))),
    }
    state.model_version.update(|v| *v += 1);
}

#[component]
fn StatusLine(state: PlaygroundState) -> impl IntoView {
    let text = move || match state.phase.get() {
        Phase::LoadingData(p) => match p.total {
            Some(total) if total > 0 => format!(
                "Downloading MNIST: {:.1} of {:.1} MB ({:.0}%)",
                p.loaded as f64 / 1e6,
                total as f64 / 1e6,
                100.0 * p.loaded as f64 / total as f64
            ),
            _ => format!("Downloading MNIST: {:.1} MB", p.loaded as f64 / 1e6),
        },
        Phase::DataFailed(_) => "The data could not be loaded.".into(),
        Phase::ChoosingBackend(s) => s,
        Phase::Ready => "Ready: press Train.".into(),
        Phase::Training => "Training…".into(),
        Phase::Paused => "Paused.".into(),
        Phase::Evaluating => "Evaluating on the test images…".into(),
        Phase::Finished => "Finished.".into(),
        Phase::Diverged(_) => "Stopped: the loss diverged.".into(),
    };
    let download = move || match state.phase.get() {
        Phase::LoadingData(p) => Some(p),
        _ => None,
    };
    view! {
        <p class="status" role="status" aria-live="polite" data-testid="status">{text}</p>
        {move || download().map(|p| view! {
            <progress data-testid="download-progress" max=p.total.unwrap_or(0).max(1) as f64 value=p.loaded as f64 aria-label="download progress"></progress>
        })}
    }
}

/// The batch to show: a finished run shows its last epoch as complete rather than "0 of N".
fn shown_batch(p: &crate::run::Progress) -> usize {
    if p.epoch >= p.epochs { p.batches_per_epoch } else { p.batch }
}

#[component]
fn ProgressPanel(state: PlaygroundState) -> impl IntoView {
    let progress = move || state.progress.get();
    let accuracy = move || state.epochs.with(|e| e.last().map(|r| format!("{:.1}%", r.accuracy * 100.0)));
    view! {
        <section class="panel progress-panel" aria-label="progress">
            <div class="metric">
                <span class="metric-label">"Epoch"</span>
                <span class="metric-value">{move || progress().map(|p| format!("{} / {}", (p.epoch + 1).min(p.epochs), p.epochs)).unwrap_or("–".into())}</span>
            </div>
            <div class="metric">
                <span class="metric-label">"Batch"</span>
                <span class="metric-value">{move || progress().map(|p| format!("{} / {}", shown_batch(&p), p.batches_per_epoch)).unwrap_or("–".into())}</span>
            </div>
            <div class="metric">
                <span class="metric-label">"Images / s"</span>
                <span class="metric-value" data-testid="images-per-second">{move || state.images_per_second.get().map(|v| format!("{v:.0}")).unwrap_or("–".into())}</span>
            </div>
            <div class="metric">
                <span class="metric-label">"Test accuracy"</span>
                <span class="metric-value" data-testid="test-accuracy">{move || accuracy().unwrap_or("–".into())}</span>
            </div>
            <progress class="epoch-progress" data-testid="epoch-progress" aria-label="progress through the epoch"
                max=move || progress().map(|p| p.batches_per_epoch.max(1)).unwrap_or(1) as f64
                value=move || progress().map(|p| shown_batch(&p)).unwrap_or(0) as f64></progress>
        </section>
    }
}

#[component]
pub fn App() -> impl IntoView {
    let pairs = browser::query_pairs();
    if let Some((_, engine)) = pairs.iter().find(|(k, _)| k == "bench") {
        let profile = pairs.iter().any(|(k, v)| k == "profile" && v == "1");
        return view! { <bench::BenchPage engine=engine.clone() profile=profile/> }.into_any();
    }
    let (initial, query_errors) = PlaygroundSettings::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let state = PlaygroundState::new();
    if !query_errors.is_empty() {
        let text = query_errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
        state.error.set(Some(format!("Some link settings were ignored ({text}); the defaults are used for them.")));
    }
    let form = SettingsForm::new(&initial);
    let engine: EngineHandle = Rc::new(RefCell::new(Engine::default()));

    spawn_local(prepare(engine.clone(), state, initial.clone(), form));

    let settings_or_error = move || match form.parse() {
        Ok(s) => Some(s),
        Err(errors) => {
            state.error.set(Some(format!("Fix the settings first: {}", errors.iter().map(|e| format!("{} — {}", e.field, e.message)).collect::<Vec<_>>().join("; "))));
            None
        }
    };
    // Closures in the view must be Send; the engine is not, so they hold this handle to it instead.
    let engine = StoredValue::new_local(engine);
    let on_train = move || {
        if let Some(s) = settings_or_error() {
            engine::start_training(engine.get_value(), state, s);
        }
    };
    let on_step = move || {
        if let Some(s) = settings_or_error() {
            engine::single_step(engine.get_value(), state, s);
        }
    };
    // Reset forgets the run everywhere, including the copy kept in this browser.
    let on_reset = move || spawn_local(persistence::start_fresh(engine.get_value(), state));
    let initial = StoredValue::new(initial);
    let on_retry = move |_| spawn_local(prepare(engine.get_value(), state, initial.get_value(), form));
    let parsed_settings = Signal::derive(move || form.parse().ok());
    let accuracies = Signal::derive(move || state.epochs.with(|e| e.iter().map(|r| r.accuracy).collect::<Vec<f64>>()));

    view! {
        <header class="top">
            <div>
                <h1>"Backprop Playground"</h1>
                <p class="tagline">"Train a real neural network on MNIST in your browser, and watch it learn."</p>
            </div>
            <div class="backend" data-testid="backend-name" title=move || state.backend.get().map(|b| b.reason).unwrap_or_default()>
                {move || state.backend.get().map(|b| b.name).unwrap_or("choosing a backend…".into())}
            </div>
        </header>
        <main>
            {move || state.error.get().map(|e| view! {
                <div class="error" role="alert" data-testid="error-message">
                    <span>{e}</span>
                    <button class="dismiss" aria-label="dismiss" on:click=move |_| state.error.set(None)>"×"</button>
                </div>
            })}
            <div class="status-row">
                <StatusLine state/>
                {move || matches!(state.phase.get(), Phase::DataFailed(_)).then(|| view! { <button data-testid="retry-button" on:click=on_retry>"Retry download"</button> })}
                <span class="backend-reason">{move || state.backend.get().map(|b| b.reason).unwrap_or_default()}</span>
                <span class="dataset-sizes">{move || state.dataset_sizes.get().map(|(a, b)| format!("{a} training / {b} test images")).unwrap_or_default()}</span>
            </div>
            <div class="layout">
                <aside>
                    <TrainingButtons phase=state.phase on_train on_pause=move || engine::pause(&state) on_step on_reset/>
                    <SettingsPanel form phase=state.phase/>
                </aside>
                <div class="content">
                    <ProgressPanel state/>
                    <DrawPanel engine state settings=parsed_settings/>
                    <WeightsPanel engine state settings=parsed_settings form/>
                    <div class="charts">
                        <LossChart losses=state.losses/>
                        <AccuracyChart accuracies/>
                    </div>
                    <TrainLog lines=state.log/>
                    <div class="results">
                        <ConfusionMatrix matrix=state.confusion/>
                        <MistakeGallery mistakes=state.mistakes/>
                    </div>
                    <BackpropPanel engine state/>
                    <WorkedExample/>
                </div>
            </div>
        </main>
        <footer>
            "Network: Linear(784,512) ReLU Linear(512,256) ReLU Linear(256,128) ReLU Linear(128,10), cross-entropy, Adam (lr 0.001). "
            "Everything runs in this tab; nothing is sent anywhere."
        </footer>
    }
    .into_any()
}
