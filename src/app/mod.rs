//! The page (wasm only): a view of the trainer worker. Components render
//! [`state::PlaygroundState`] and send [`crate::protocol::Command`]s through
//! [`client::Trainer`]; nothing here holds a tensor or a model.

mod backprop_panel;
mod browser;
mod charts;
mod classes;
mod client;
mod controls;
mod digit_image;
mod draw_panel;
mod export_panel;
mod heatmap;
mod locale;
mod math;
mod network_panel;
mod offline;
mod panels;
mod profiler_panel;
mod shortcuts;
mod state;
mod weights_panel;
mod worked_example;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use backprop_panel::BackpropPanel;
use charts::{AccuracyChart, LossChart};
use client::use_trainer;
use controls::{SettingsForm, SettingsPanel, TrainingButtons};
use draw_panel::DrawPanel;
use export_panel::ExportPanel;
use locale::{provide_locale, use_locale};
use network_panel::NetworkPanel;
use panels::{ConfusionMatrix, MistakeGallery, TrainLog};
use profiler_panel::ProfilerPanel;
use state::{Phase, PlaygroundState};
use weights_panel::WeightsPanel;
use worked_example::WorkedExample;

use crate::data::Dataset;
use crate::i18n::Lang;

use crate::settings::{PlaygroundSettings, describe_all};
use crate::text;
use crate::protocol::Command;

/// The page's own address: the worker fetches the data and the model relative to it.
fn page_url() -> String {
    web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default()
}

/// `?bench=cpu|cpu-2workers|webgpu[&profile=1]`: runs the benchmark protocol in the trainer worker and shows its
/// JSON (also as `window.__benchResult`, which `npm run bench` reads).
#[component]
fn BenchPage(engine: String, profile: bool) -> impl IntoView {
    let state = PlaygroundState::new();
    let form = SettingsForm::new(&PlaygroundSettings::default());
    let trainer = use_trainer(state, form);
    let waiting = format!("running the {engine} benchmark…");
    trainer.send(Command::Bench { base_url: page_url(), engine, profile });
    let locale = use_locale();
    view! {
        {move || state.error.get().map(|e| view! { <p data-testid="error-message">{locale.text(&e)}</p> })}
        <pre data-testid="bench-result">{move || state.bench_result.get().unwrap_or_else(|| waiting.clone())}</pre>
    }
}

#[component]
fn StatusLine(state: PlaygroundState) -> impl IntoView {
    let locale = use_locale();
    let text = move || match state.phase.get() {
        Phase::LoadingData(p) => match p.total {
            Some(total) if total > 0 => locale.text(&text!(
                "status-downloading-of",
                loaded = format!("{:.1}", p.loaded as f64 / 1e6),
                total = format!("{:.1}", total as f64 / 1e6),
                percent = format!("{:.0}", 100.0 * p.loaded as f64 / total as f64)
            )),
            _ => locale.text(&text!("status-downloading", loaded = format!("{:.1}", p.loaded as f64 / 1e6))),
        },
        Phase::DataFailed(_) => locale.t("status-data-failed"),
        Phase::ChoosingBackend(s) => locale.text(&s),
        Phase::Ready => locale.t("status-ready"),
        Phase::Training => locale.t("status-training"),
        Phase::Paused => locale.t("status-paused"),
        Phase::Evaluating => locale.t("status-evaluating"),
        Phase::Finished => locale.t("status-finished"),
        Phase::Diverged(_) => locale.t("status-diverged"),
    };
    let download = move || match state.phase.get() {
        Phase::LoadingData(p) => Some(p),
        _ => None,
    };
    view! {
        <p class="status" role="status" aria-live="polite" data-testid="status">{text}</p>
        {move || download().map(|p| view! {
            <progress data-testid="download-progress" max=p.total.unwrap_or(0).max(1) as f64 value=p.loaded as f64 aria-label=move || locale.t("download-progress")></progress>
        })}
    }
}

/// The batch to show: a finished run shows its last epoch as complete rather than "0 of N".
fn shown_batch(p: &crate::run::Progress) -> usize {
    if p.epoch >= p.epochs { p.batches_per_epoch } else { p.batch }
}

#[component]
fn ProgressPanel(state: PlaygroundState) -> impl IntoView {
    let locale = use_locale();
    let progress = move || state.progress.get();
    let accuracy = move || state.epochs.with(|e| e.last().map(|r| format!("{:.1}%", r.accuracy * 100.0)));
    // Screen readers hear each epoch's result once, not every batch's numbers.
    let announcement = move || {
        state.epochs.with(|e| {
            e.last().map(|r| locale.text(&text!("epoch-announcement", epoch = r.epoch + 1, percent = format!("{:.1}", r.accuracy * 100.0))))
        })
    };
    view! {
        <section class="panel progress-panel" aria-label=move || locale.t("progress")
            data-wasm-memory=move || state.worker_memory.get().map(|m| m.0).unwrap_or(0.0)
            data-js-heap=move || state.worker_memory.get().map(|m| m.1).unwrap_or(0.0)>
            <div class="metric">
                <span class="metric-label">{move || locale.t("metric-epoch")}</span>
                <span class="metric-value">{move || progress().map(|p| format!("{} / {}", (p.epoch + 1).min(p.epochs), p.epochs)).unwrap_or("–".into())}</span>
            </div>
            <div class="metric">
                <span class="metric-label">{move || locale.t("metric-batch")}</span>
                <span class="metric-value">{move || progress().map(|p| format!("{} / {}", shown_batch(&p), p.batches_per_epoch)).unwrap_or("–".into())}</span>
            </div>
            <div class="metric">
                <span class="metric-label">{move || locale.t("metric-images-per-second")}</span>
                <span class="metric-value" data-testid="images-per-second">{move || state.images_per_second.get().map(|v| format!("{v:.0}")).unwrap_or("–".into())}</span>
            </div>
            <div class="metric">
                <span class="metric-label">{move || locale.t("metric-test-accuracy")}</span>
                <span class="metric-value" data-testid="test-accuracy">{move || accuracy().unwrap_or("–".into())}</span>
            </div>
            <progress class="epoch-progress" data-testid="epoch-progress" aria-label=move || locale.t("epoch-progress")
                max=move || progress().map(|p| p.batches_per_epoch.max(1)).unwrap_or(1) as f64
                value=move || progress().map(|p| shown_batch(&p)).unwrap_or(0) as f64></progress>
            <p class="sr-only" aria-live="polite" data-testid="epoch-announcement">{announcement}</p>
        </section>
    }
}

/// 中文 | English, in the header: switches every text at once; the run is not touched.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let locale = use_locale();
    view! {
        <div class="language-switch" role="group" aria-label=move || locale.t("language")>
            {Lang::ALL.into_iter().map(|lang| view! {
                <button lang=lang.html_lang() data-testid=format!("lang-{}", lang.code())
                    aria-pressed=move || if locale.lang() == lang { "true" } else { "false" }
                    on:click=move |_| locale.set(lang)>{lang.own_name()}</button>
            }).collect_view()}
        </div>
    }
}

/// MNIST or Fashion-MNIST: links to this page with the other `dataset=` (a reload: the worker loads
/// the data it learns from once).
#[component]
fn DatasetSwitch() -> impl IntoView {
    let locale = use_locale();
    let current = classes::use_dataset();
    let href = move |dataset: Dataset| {
        let mut pairs: Vec<(String, String)> = browser::query_pairs().into_iter().filter(|(k, _)| k != "dataset").collect();
        if dataset != Dataset::Mnist {
            pairs.push(("dataset".into(), dataset.key().into()));
        }
        let query = pairs.iter().map(|(k, v)| format!("{k}={}", js_sys::encode_uri_component(v))).collect::<Vec<_>>().join("&");
        if query.is_empty() { "./".to_string() } else { format!("./?{query}") }
    };
    view! {
        <nav class="dataset-switch" aria-label=move || locale.t("dataset-choice") data-testid="dataset-switch">
            <span class="hint">{move || locale.t("dataset-choice")}</span>
            {[Dataset::Mnist, Dataset::Fashion].into_iter().map(|dataset| view! {
                <a href=href(dataset) data-testid=format!("dataset-{}", dataset.key()) title=move || locale.t("dataset-switch-note")
                    aria-current=(dataset == current).then_some("page")>{move || locale.text(&crate::data::dataset::dataset_name(dataset))}</a>
            }).collect_view()}
        </nav>
    }
}

/// The list `?` opens: what each key does.
#[component]
fn ShortcutHelp(open: RwSignal<bool>) -> impl IntoView {
    let locale = use_locale();
    let keys: [(&'static str, &'static str); 7] = [
        ("Space", "shortcut-train"),
        ("S", "shortcut-step"),
        ("C", "shortcut-clear"),
        ("←", "shortcut-previous-phase"),
        ("→", "shortcut-next-phase"),
        ("P", "shortcut-projector"),
        ("?", "shortcut-help"),
    ];
    let close = NodeRef::<leptos::html::Button>::new();
    // Focus goes into the list when it opens and back to the header button when it closes.
    Effect::new(move |was_open: Option<bool>| {
        let is_open = open.get();
        let target = if is_open {
            close.get().map(|b| b.unchecked_into::<web_sys::HtmlElement>())
        } else if was_open == Some(true) {
            web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector("[data-testid=\"shortcuts-button\"]").ok().flatten()).and_then(|e| e.dyn_into().ok())
        } else {
            None
        };
        if let Some(element) = target {
            let _ = element.focus();
        }
        is_open
    });
    view! {
        <div class="shortcut-help" role="dialog" aria-modal="false" aria-labelledby="shortcut-title" data-testid="shortcut-help"
            hidden=move || !open.get()
            on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) }>
            <h2 id="shortcut-title">{move || locale.t("shortcuts-title")}</h2>
            <dl>
                {keys.into_iter().map(|(key, id)| view! {
                    <div class="shortcut"><dt><kbd>{move || if key == "Space" { locale.t("key-space") } else { key.to_string() }}</kbd></dt><dd>{move || locale.t(id)}</dd></div>
                }).collect_view()}
            </dl>
            <p class="hint">{move || locale.t("shortcuts-note")}</p>
            <button node_ref=close data-testid="shortcut-help-close" on:click=move |_| open.set(false)>{move || locale.t("close")}</button>
        </div>
    }
}

#[component]
pub fn App() -> impl IntoView {
    let pairs = browser::query_pairs();
    let query = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let locale = provide_locale(query("lang").as_deref());
    if let Some(engine) = query("bench") {
        let profile = query("profile").as_deref() == Some("1");
        return view! { <BenchPage engine=engine profile=profile/> }.into_any();
    }
    let (initial, query_errors) = PlaygroundSettings::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    classes::provide_dataset(initial.dataset);
    let state = PlaygroundState::new();
    if !query_errors.is_empty() {
        state.error.set(Some(text!("link-settings-ignored", problems = describe_all(&query_errors))));
    }
    let form = SettingsForm::new(&initial);
    let trainer = use_trainer(state, form);
    let debug_device_lost = query("debug").as_deref() == Some("device-lost");
    trainer.send(Command::Start { base_url: page_url(), settings: initial.to_query(), debug_device_lost, tab: browser::tab_id() });

    // The form as a query string for a command, or every field's problem in the banner.
    let settings_query = move || match form.parse() {
        Ok(s) => Some(s.to_query()),
        Err(errors) => {
            state.error.set(Some(text!("fix-settings-first", problems = describe_all(&errors))));
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

    let projector = RwSignal::new(query("projector").as_deref() == Some("1"));
    let help_open = RwSignal::new(false);
    shortcuts::use_shortcuts(projector, help_open);
    Effect::new(move |_| {
        let on = projector.get();
        if let Some(html) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = if on { html.class_list().add_1("projector") } else { html.class_list().remove_1("projector") };
        }
    });
    // The offline copy downloads every file again: only once the trainer has its data and model,
    // so on a slow network it never competes with the page's own first load.
    let loaded = Signal::derive(move || !matches!(state.phase.get(), Phase::LoadingData(_) | Phase::DataFailed(_) | Phase::ChoosingBackend(_)));
    let offline_copy = offline::use_offline_copy(loaded);
    let dataset = initial.dataset;

    view! {
        <a class="skip-link" href="#main">{move || locale.t("skip-to-content")}</a>
        <header class="top">
            <div class="title">
                <h1>{move || locale.t("page-title")}</h1>
                <p class="tagline">{move || locale.t(classes::worded_for(dataset, "tagline", "tagline-fashion"))}</p>
            </div>
            <div class="header-tools">
                <DatasetSwitch/>
                <LanguageSwitch/>
                <button data-testid="projector-toggle" aria-pressed=move || if projector.get() { "true" } else { "false" }
                    aria-keyshortcuts="P" on:click=move |_| projector.update(|p| *p = !*p)>{move || locale.t("projector-mode")}</button>
                <button data-testid="shortcuts-button" aria-keyshortcuts="Shift+?" aria-expanded=move || if help_open.get() { "true" } else { "false" }
                    on:click=move |_| help_open.update(|o| *o = !*o)>{move || locale.t("shortcuts-button")}</button>
                <div class="backend" data-testid="backend-name" title=move || state.backend.get().map(|b| locale.text(&b.reason)).unwrap_or_default()>
                    // The worker picks the device once the data is in; until then it is not choosing yet.
                    {move || match state.backend.get() {
                        Some(b) => locale.text(&b.name),
                        None if matches!(state.phase.get(), Phase::LoadingData(_) | Phase::DataFailed(_)) => locale.t("backend-after-download"),
                        None => locale.t("choosing-backend"),
                    }}
                </div>
            </div>
        </header>
        <ShortcutHelp open=help_open/>
        <main id="main" tabindex="-1">
            {move || offline_copy.get().then(|| view! { <p class="offline-note" role="status" data-testid="offline-note">{move || locale.t("offline-copy")}</p> })}
            {move || state.error.get().map(|e| view! {
                <div class="error" role="alert" data-testid="error-message">
                    <span>{move || locale.text(&e)}</span>
                    <button class="dismiss" aria-label=move || locale.t("dismiss") on:click=move |_| state.error.set(None)>"×"</button>
                </div>
            })}
            <div class="status-row">
                <StatusLine state/>
                {move || matches!(state.phase.get(), Phase::DataFailed(_)).then(|| view! { <button data-testid="retry-button" on:click=on_retry>{move || locale.t("retry-download")}</button> })}
                <span class="backend-reason">{move || state.backend.get().map(|b| locale.text(&b.reason)).unwrap_or_default()}</span>
                {move || (state.other_tabs_training.get() > 0).then(|| view! {
                    <span class="other-tabs" data-testid="other-tabs">{move || locale.text(&text!("other-tabs-training", count = state.other_tabs_training.get()))}</span>
                })}
                <span class="dataset-sizes">{move || state.dataset_sizes.get().map(|(a, b)| locale.text(&text!("dataset-sizes", train = a, test = b))).unwrap_or_default()}</span>
            </div>
            <div class="layout">
                <section class="training-view" aria-label=move || locale.t("training-view")>
                    <TrainingButtons phase=state.phase on_train on_pause on_step on_reset/>
                    <ProgressPanel state/>
                    <div class="charts">
                        <LossChart losses=state.losses/>
                        <AccuracyChart accuracies/>
                    </div>
                </section>
                <DrawPanel trainer state settings=parsed_settings/>
                <NetworkPanel trainer state settings=parsed_settings/>
                <details class="secondary" prop:open=move || !projector.get()>
                    <summary>{move || locale.t("more-panels")}</summary>
                    <div class="secondary-panels">
                        <SettingsPanel form phase=state.phase/>
                        <WeightsPanel trainer state settings=parsed_settings/>
                        <TrainLog lines=state.log/>
                        <ProfilerPanel profile=state.profile/>
                        <ExportPanel state settings=parsed_settings/>
                        <div class="results">
                            <ConfusionMatrix matrix=state.confusion/>
                            <MistakeGallery mistakes=state.mistakes/>
                        </div>
                        <BackpropPanel trainer state settings=parsed_settings/>
                        <WorkedExample/>
                    </div>
                </details>
            </div>
        </main>
        <footer>
            {move || locale.t("footer-network")}
            " Linear(784,512) ReLU Linear(512,256) ReLU Linear(256,128) ReLU Linear(128,10), " {move || locale.t("bp-cross-entropy")} ", Adam (lr 0.001). "
            {move || locale.t("footer-privacy")}
        </footer>
    }
    .into_any()
}
