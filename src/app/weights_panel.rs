//! "Your model": download the weights as `.safetensors` (PyTorch's `state_dict` names and layout),
//! load a file (picker or drag-and-drop), and what is kept in this browser (restored run, Start fresh,
//! persistence on or off). A refused file leaves the current model as it was.

use js_sys::Uint8Array;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use web_sys::{Blob, File};

use super::browser::{await_promise, get, js_error_text, query_pairs};
use super::controls::SettingsForm;
use super::engine::{self, EngineHandle};
use super::persistence;
use super::state::{Persistence, Phase, PlaygroundState};
use crate::settings::PlaygroundSettings;
use crate::weights_file::{self, TrainingFacts};

const DOWNLOAD_NAME: &str = "backprop-playground-mnist.safetensors";

async fn blob_bytes(blob: &Blob) -> Result<Vec<u8>, String> {
    let buffer = await_promise(blob.array_buffer().into()).await?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Reads an uploaded file, refusing one that is too large or whose header is, from its size and its
/// first 8 bytes, before reading the rest.
async fn read_upload(file: &File) -> Result<Vec<u8>, String> {
    let len = file.size() as usize;
    let head = file.slice_with_f64_and_f64(0.0, 8.0).map_err(|e| js_error_text(&e))?;
    weights_file::check_size(len, &blob_bytes(&head).await?).map_err(|e| e.to_string())?;
    blob_bytes(file).await
}

/// Hands `bytes` to the browser as a file download.
fn offer_download(bytes: &[u8], name: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&Uint8Array::from(bytes));
    let blob = Blob::new_with_u8_array_sequence(&parts).map_err(|e| js_error_text(&e))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| js_error_text(&e))?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let anchor: web_sys::HtmlAnchorElement =
        document.create_element("a").map_err(|e| js_error_text(&e))?.dyn_into().map_err(|_| "no anchor element")?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // Revoked later: revoking at once can cancel the download in some browsers.
    spawn_local(async move {
        super::browser::sleep_ms(60_000).await;
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    Ok(())
}

/// The model the page predicts with (the run's latest weights, or the pretrained model) as a file.
async fn download(engine: EngineHandle, state: PlaygroundState) -> Result<(), String> {
    let (model, pretrained_facts) = {
        let e = engine.borrow();
        let model = e.predictor.as_ref().map(|p| p.model.clone()).ok_or("There is no model yet: train one or load one first.")?;
        let trained_here = e.run.is_some() || e.busy;
        (model, (!trained_here).then(|| e.pretrained.as_ref().map(|p| p.facts.clone())).flatten())
    };
    let facts = pretrained_facts.unwrap_or_else(|| TrainingFacts {
        epochs: state.progress.get_untracked().map_or(0, |p| p.epoch),
        test_accuracy: state.epochs.with_untracked(|e| e.last().map(|r| r.accuracy)),
        source: "trained in Backprop Playground".into(),
    });
    let bytes = weights_file::save(&model, &facts).await.map_err(|e| format!("the weights could not be read ({e})"))?;
    offer_download(&bytes, DOWNLOAD_NAME)
}

/// Loads `file` as the current model, or says why not (the current model stays).
async fn upload(engine: EngineHandle, state: PlaygroundState, settings: PlaygroundSettings, form: SettingsForm, file: File, status: RwSignal<Option<String>>) {
    let name = file.name();
    let refused = |why: String| {
        state.error.set(Some(format!("“{name}” was not loaded: {why}. Your current model is unchanged.")));
    };
    let bytes = match read_upload(&file).await {
        Ok(b) => b,
        Err(e) => return refused(e),
    };
    let describe = |facts: &TrainingFacts| {
        let acc = facts.test_accuracy.map(|a| format!(", {:.1} % test accuracy", a * 100.0)).unwrap_or_default();
        format!("uploaded {name} ({} epochs{acc})", facts.epochs)
    };
    match engine::use_weights(&engine, &state, &settings, &bytes, describe) {
        Ok(_) => {
            status.set(Some(format!("Loaded “{name}”. Train to continue from it, or draw a digit.")));
            // The form shows the loaded network's layer sizes (it is locked while this run exists).
            let config = engine.borrow().run.as_ref().map(|r| r.session().config().clone());
            if let Some(training) = config {
                form.set_training(&PlaygroundSettings { training, ..settings.clone() });
            }
            engine::persist_current(engine, state, settings).await;
        }
        Err(e) => refused(e),
    }
}

fn first_file(files: Option<web_sys::FileList>) -> Option<File> {
    files.and_then(|f| f.get(0))
}

/// Destroys the page's WebGPU devices (recorded by index.html's `?debug=device-lost` hook).
fn lose_gpu_devices() -> usize {
    let Some(window) = web_sys::window() else { return 0 };
    let devices = get(&window, "__playgroundGpuDevices");
    let devices: js_sys::Array = devices.dyn_into().unwrap_or_default();
    for device in devices.iter() {
        if let Ok(destroy) = get(&device, "destroy").dyn_into::<js_sys::Function>() {
            let _ = destroy.call0(&device);
        }
    }
    devices.length() as usize
}

#[component]
pub fn WeightsPanel(
    engine: StoredValue<EngineHandle, LocalStorage>,
    state: PlaygroundState,
    settings: Signal<Option<PlaygroundSettings>>,
    form: SettingsForm,
) -> impl IntoView {
    let status = RwSignal::new(None::<String>);
    let dragging = RwSignal::new(false);
    let training = move || matches!(state.phase.get(), Phase::Training | Phase::Evaluating);
    let ready = move || !matches!(state.phase.get(), Phase::LoadingData(_) | Phase::DataFailed(_) | Phase::ChoosingBackend(_));
    let debug_device_lost = query_pairs().iter().any(|(k, v)| k == "debug" && v == "device-lost");

    let take_file = move |file: Option<File>| {
        let Some(file) = file else { return };
        status.set(None);
        if training() {
            state.error.set(Some("Pause training before loading weights.".into()));
            return;
        }
        let settings = settings.get_untracked().unwrap_or_default();
        spawn_local(upload(engine.get_value(), state, settings, form, file, status));
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
        spawn_local(async move {
            match download(engine.get_value(), state).await {
                Ok(()) => status.set(Some(format!("Downloaded {DOWNLOAD_NAME}: load it in PyTorch with load_state_dict, or back here."))),
                Err(e) => state.error.set(Some(format!("The download failed: {e}"))),
            }
        });
    };
    let on_start_fresh = move |_| spawn_local(persistence::start_fresh(engine.get_value(), state));
    let on_lose_device = move |_| {
        let n = lose_gpu_devices();
        status.set(Some(format!("Debug: destroyed {n} WebGPU device(s).")));
    };
    let persistence_text = move || match state.persistence.get() {
        Persistence::Unknown => String::new(),
        Persistence::On(None) => "Kept in this browser after every epoch and on pause.".into(),
        Persistence::On(Some(saved)) => format!("Kept in this browser ({saved})."),
        Persistence::Off(why) => format!("Persistence is off: {why}. Training still works; download the weights to keep them."),
    };

    view! {
        <section class="panel weights-panel" aria-labelledby="weights-title">
            <h2 id="weights-title">"Your model"</h2>
            {move || state.restored_note.get().map(|note| view! {
                <p class="restored" data-testid="restored-note">{note} " "
                    <button data-testid="start-fresh" disabled=training on:click=on_start_fresh>"Start fresh"</button>
                </p>
            })}
            <p class="persistence" data-testid="persistence-status" class:off=move || matches!(state.persistence.get(), Persistence::Off(_))>
                {persistence_text}
            </p>
            <div class="weights-actions">
                <button data-testid="download-weights" disabled=move || !ready() on:click=on_download>"Download weights (.safetensors)"</button>
                <label class="file-button">
                    "Load weights…"
                    <input type="file" accept=".safetensors" data-testid="upload-weights" disabled=move || !ready() || training() on:change=on_pick/>
                </label>
            </div>
            <div class="drop-zone" data-testid="weights-drop-zone" class:dragging=move || dragging.get()
                on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop>
                "…or drop a .safetensors file here (saved by this page, or by PyTorch with safetensors.torch.save_file(model.state_dict(), …))"
            </div>
            {move || status.get().map(|s| view! { <p class="weights-status" data-testid="weights-status">{s}</p> })}
            {debug_device_lost.then(|| view! {
                <p class="debug"><button data-testid="simulate-device-lost" on:click=on_lose_device>"Debug: simulate GPU loss"</button></p>
            })}
        </section>
    }
}
