//! The page (wasm only): a view of the trainer worker. Components render
//! [`state::PlaygroundState`] and send [`crate::trainer::protocol::Command`]s through
//! [`client::Trainer`]; nothing here holds a tensor or a model.

mod backprop_panel;
mod browser;
mod charts;
mod client;
mod controls;
mod digit_image;
mod draw_panel;
mod math;
mod panels;
mod state;
mod weights_panel;
mod worked_example;

use leptos::prelude::*;

use backprop_panel::BackpropPanel;
use charts::{AccuracyChart, LossChart};
use client::use_trainer;
use controls::{SettingsForm, SettingsPanel, TrainingButtons};
use draw_panel::DrawPanel;
use panels::{ConfusionMatrix, MistakeGallery, TrainLog};
use state::{Phase, PlaygroundState};
use weights_panel::WeightsPanel;
use worked_example::WorkedExample;

use crate::settings::PlaygroundSettings;
use crate::trainer::protocol::Command;

/// The page's own address: the worker fetches the data and the model relative to it.
fn page_url() -> String {
    web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default()
}

/// `?bench=cpu|webgpu[&profile=1]`: runs the benchmark protocol in the trainer worker and shows its
/// JSON (also as `window.__benchResult`, which `npm run bench` reads).
#[component]
fn BenchPage(engine: String, profile: bool) -> impl IntoView {
    let state = PlaygroundState::new();
    let form = SettingsForm::new(&PlaygroundSettings::default());
    let trainer = use_trainer(state, form);
    let waiting = format!("running the {engine} benchmark…");
    trainer.send(Command::Bench { base_url: page_url(), engine, profile });
    view! {
        {move || state.error.get().map(|e| view! { <p data-testid="error-message">{e}</p> })}
        <pre data-testid="bench-result">{move || state.bench_result.get().unwrap_or_else(|| waiting.clone())}</pre>
    }
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
        <section class="panel progress-panel" aria-label="progress"
            data-wasm-memory=move || state.worker_memory.get().map(|m| m.0).unwrap_or(0.0)
            data-js-heap=move || state.worker_memory.get().map(|m| m.1).unwrap_or(0.0)>
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
        return view! { <BenchPage engine=engine.clone() profile=profile/> }.into_any();
    }
    let (initial, query_errors) = PlaygroundSettings::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let state = PlaygroundState::new();
    if !query_errors.is_empty() {
        let text = query_errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
        state.error.set(Some(format!("Some link settings were ignored ({text}); the defaults are used for them.")));
    }
    let form = SettingsForm::new(&initial);
    let trainer = use_trainer(state, form);
    let debug_device_lost = pairs.iter().any(|(k, v)| k == "debug" && v == "device-lost");
    trainer.send(Command::Start { base_url: page_url(), settings: initial.to_query(), debug_device_lost, tab: browser::tab_id() });

    // The form as a query string for a command, or every field's problem in the banner.
    let settings_query = move || match form.parse() {
        Ok(s) => Some(s.to_query()),
        Err(errors) => {
            state.error.set(Some(format!("Fix the settings first: {}", errors.iter().map(|e| format!("{} — {}", e.field, e.message)).collect::<Vec<_>>().join("; "))));
            None
        }
    };
    let on_train = move || {
        if let Some(settings) = settings_query() {
            trainer.send(Command::Train { settings });
        }
    };
    let on_step = move || {
        if let Some(settings) = settings_query() {
            trainer.send(Command::Step { settings });
        }
    };
    // Reset forgets the run everywhere, including the copy kept in this browser.
    let on_reset = move || trainer.send(Command::Reset);
    let on_pause = move || trainer.send(Command::Pause);
    let on_retry = move |_| trainer.send(Command::RetryData);
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
                {move || (state.other_tabs_training.get() > 0).then(|| view! {
                    <span class="other-tabs" data-testid="other-tabs">{move || match state.other_tabs_training.get() {
                        1 => "Another tab of this page is training too: the two share this computer.".to_string(),
                        n => format!("{n} other tabs of this page are training too: they share this computer."),
                    }}</span>
                })}
                <span class="dataset-sizes">{move || state.dataset_sizes.get().map(|(a, b)| format!("{a} training / {b} test images")).unwrap_or_default()}</span>
            </div>
            <div class="layout">
                <aside>
                    <TrainingButtons phase=state.phase on_train on_pause on_step on_reset/>
                    <SettingsPanel form phase=state.phase/>
                </aside>
                <div class="content">
                    <ProgressPanel state/>
                    <DrawPanel trainer state settings=parsed_settings/>
                    <WeightsPanel trainer state settings=parsed_settings/>
                    <div class="charts">
                        <LossChart losses=state.losses/>
                        <AccuracyChart accuracies/>
                    </div>
                    <TrainLog lines=state.log/>
                    <div class="results">
                        <ConfusionMatrix matrix=state.confusion/>
                        <MistakeGallery mistakes=state.mistakes/>
                    </div>
                    <BackpropPanel trainer state settings=parsed_settings/>
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
