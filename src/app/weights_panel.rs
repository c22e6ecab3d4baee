//! "Your model": download the weights as `.safetensors` (PyTorch's `state_dict` names and layout),
//! load a file (picker or drag-and-drop), and what is kept in this browser (restored run, Start fresh,
//! persistence on or off). A refused file leaves the current model as it was.

use js_sys::Uint8Array;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use web_sys::{Blob, File};

use super::browser::{await_promise, js_error_text, query_pairs};
use super::client::Trainer;
use super::locale::use_locale;
use super::state::{Persistence, Phase, PlaygroundState};
use crate::i18n::{Arg, Text};
use crate::settings::PlaygroundSettings;
use crate::text;
use crate::protocol::Command;
use crate::weights_file;

async fn blob_bytes(blob: &Blob) -> Result<Vec<u8>, String> {
    let buffer = await_promise(blob.array_buffer().into()).await?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Reads an uploaded file, refusing one that is too large or whose header is, from its size and its
/// first 8 bytes, before reading the rest.
async fn read_upload(file: &File) -> Result<Vec<u8>, Text> {
    let len = file.size() as usize;
    let head = file.slice_with_f64_and_f64(0.0, 8.0).map_err(|e| Text::verbatim(js_error_text(&e)))?;
    let head = blob_bytes(&head).await.map_err(Text::verbatim)?;
    weights_file::check_size(len, &head).map_err(|e| e.describe())?;
    blob_bytes(file).await.map_err(Text::verbatim)
}

/// Reads `file` and hands it to the trainer, which validates it completely before replacing anything.
async fn upload(trainer: Trainer, state: PlaygroundState, settings: PlaygroundSettings, file: File) {
    let name = file.name();
    match read_upload(&file).await {
        Ok(bytes) => trainer.send(Command::LoadWeights { name, bytes, settings: settings.to_query() }),
        Err(why) => state.error.set(Some(text!("weights-not-loaded", name = name, reason = text!("sentence", text = why)))),
    }
}

fn first_file(files: Option<web_sys::FileList>) -> Option<File> {
    files.and_then(|f| f.get(0))
}

#[component]
pub fn WeightsPanel(trainer: Trainer, state: PlaygroundState, settings: Signal<Option<PlaygroundSettings>>) -> impl IntoView {
    let locale = use_locale();
    let status = state.weights_status;
    let dragging = RwSignal::new(false);
    let training = move || matches!(state.phase.get(), Phase::Training | Phase::Evaluating);
    let ready = move || !matches!(state.phase.get(), Phase::LoadingData(_) | Phase::DataFailed(_) | Phase::ChoosingBackend(_));
    let debug_device_lost = query_pairs().iter().any(|(k, v)| k == "debug" && v == "device-lost");

    let take_file = move |file: Option<File>| {
        let Some(file) = file else { return };
        status.set(None);
        if training() {
            state.error.set(Some(text!("pause-before-loading")));
            return;
        }
        let settings = settings.get_untracked().unwrap_or_default();
        spawn_local(upload(trainer, state, settings, file));
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        take_file(first_file(input.as_ref().and_then(|i| i.files())));
        // Picking the same file again should load it again.
        if let Some(input) = input {
            input.set_value("");
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        take_file(first_file(ev.data_transfer().and_then(|d| d.files())));
    };
    let on_download = move |_| {
        status.set(None);
        trainer.send(Command::Download);
    };
    let on_start_fresh = move |_| trainer.send(Command::Reset);
    let on_lose_device = move |_| trainer.send(Command::SimulateDeviceLoss);
    let persistence_text = move || match state.persistence.get() {
        Persistence::Unknown => String::new(),
        Persistence::On(None) => locale.t("persistence-on"),
        Persistence::On(Some(saved)) => locale.text(&text!("persistence-saved", saved = saved)),
        Persistence::Off(why) => locale.text(&text!("persistence-off", reason = why)),
    };

    view! {
        <section class="panel weights-panel" aria-labelledby="weights-title">
            <h2 id="weights-title">{move || locale.t("weights-title")}</h2>
            {move || state.restored_note.get().map(|note| view! {
                <p class="restored" data-testid="restored-note">{move || locale.text(&note)} " "
                    <button data-testid="start-fresh" disabled=training on:click=on_start_fresh>{move || locale.t("start-fresh")}</button>
                </p>
            })}
            <p class="persistence" data-testid="persistence-status" class:off=move || matches!(state.persistence.get(), Persistence::Off(_))>
                {persistence_text}
            </p>
            <div class="weights-actions">
                <button data-testid="download-weights" disabled=move || !ready() on:click=on_download>{move || locale.t("download-weights")}</button>
                <label class="file-button">
                    {move || locale.t("load-weights")}
                    <input type="file" accept=".safetensors" data-testid="upload-weights" disabled=move || !ready() || training() on:change=on_pick/>
                </label>
            </div>
            <div class="drop-zone" data-testid="weights-drop-zone" class:dragging=move || dragging.get()
                on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop>
                {move || locale.t("drop-weights")}
            </div>
            {move || status.get().map(|s| view! { <p class="weights-status" data-testid="weights-status" role="status">{move || locale.text(&s)}</p> })}
            {move || state.undo_offer.get().map(|what| view! {
                <p class="undo" data-testid="undo-offer">{move || locale.text(&text!("replaced", what = what.clone()))} " "
                    <button class="primary" data-testid="undo" on:click=move |_| trainer.send(Command::Undo)>{move || locale.t("undo")}</button></p>
            })}
            <RecentModels trainer state/>
            {debug_device_lost.then(|| view! {
                <p class="debug"><button data-testid="simulate-device-lost" on:click=on_lose_device>{move || locale.t("debug-lose-gpu")}</button>
                    " " <button data-testid="simulate-crash" on:click=move |_| trainer.send(Command::SimulateCrash)>{move || locale.t("debug-crash")}</button></p>
            })}
        </section>
    }
}

/// "Recent models": what Reset, a new run, a loaded file and the like replaced, each with Restore and
/// Download. Kept in this browser, the last few.
#[component]
fn RecentModels(trainer: Trainer, state: PlaygroundState) -> impl IntoView {
    let locale = use_locale();
    let training = move || matches!(state.phase.get(), Phase::Training | Phase::Evaluating);
    view! {
        {move || (!state.recent.with(|r| r.is_empty())).then(|| view! {
            <div class="recent">
                <p class="small-title">{move || locale.t("recent-title")}</p>
                <ul class="recent-models" data-testid="recent-models">
                    {state.recent.get().into_iter().map(|m| {
                        let id = m.id;
                        let accuracy = crate::i18n::percent_suffix(m.test_accuracy);
                        let description = match &m.problem {
                            None => text!("recent-entry", when = Arg::Time(m.kept_at_ms), because = m.because.clone(), step = m.steps, epoch = m.epoch, accuracy = accuracy, settings = m.settings.clone()),
                            Some(why) => text!("recent-unreadable", when = Arg::Time(m.kept_at_ms), reason = why.clone()),
                        };
                        let readable = m.problem.is_none();
                        let downloadable = m.downloadable;
                        view! {
                            <li data-testid="recent-model" data-steps=m.steps>
                                <span>{move || locale.text(&description)}</span>" "
                                <button data-testid="restore-recent" disabled=move || !readable || training() on:click=move |_| trainer.send(Command::RestoreRecent { id })>{move || locale.t("restore")}</button>
                                <button data-testid="download-recent" disabled=!downloadable on:click=move |_| trainer.send(Command::DownloadRecent { id })>{move || locale.t("download")}</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </div>
        })}
    }
}
