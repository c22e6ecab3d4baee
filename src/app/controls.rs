//! The settings form and the Train / Pause / Resume / Step / Reset buttons. Values are checked as
//! they are typed; a bad value gets a message next to its field and blocks Train.

use leptos::prelude::*;

use super::locale::use_locale;
use super::state::Phase;
use crate::i18n::Text;
use crate::settings::{FieldError, PlaygroundSettings};

/// One text field per setting, as typed.
#[derive(Clone, Copy)]
pub struct SettingsForm {
    values: [RwSignal<String>; FIELD_COUNT],
}

const FIELD_COUNT: usize = crate::settings::FIELDS.len();

impl SettingsForm {
    pub fn new(initial: &PlaygroundSettings) -> Self {
        Self { values: crate::settings::FIELDS.map(|k| RwSignal::new(initial.get(k))) }
    }

    /// Shows a restored run's training settings (the data, its limits and the backend stay as the link says).
    pub fn set_training(&self, settings: &PlaygroundSettings) {
        for key in crate::settings::FIELDS {
            if !matches!(key, "train" | "test" | "backend" | "dataset") {
                self.signal(key).set(settings.get(key));
            }
        }
    }

    fn signal(&self, key: &str) -> RwSignal<String> {
        let i = crate::settings::FIELDS.iter().position(|k| *k == key).unwrap_or(0);
        self.values[i]
    }

    /// The settings as typed, or every field's problem.
    pub fn parse(&self) -> Result<PlaygroundSettings, Vec<FieldError>> {
        let mut settings = PlaygroundSettings::default();
        let errors: Vec<FieldError> = crate::settings::FIELDS
            .iter()
            .zip(self.values.iter())
            .filter_map(|(k, v)| settings.set(k, &v.get()).err())
            .collect();
        if errors.is_empty() { Ok(settings) } else { Err(errors) }
    }

    fn error_for(&self, key: &'static str) -> Option<Text> {
        let mut scratch = PlaygroundSettings::default();
        scratch.set(key, &self.signal(key).get()).err().map(|e| e.message)
    }
}

#[component]
fn Field(form: SettingsForm, key: &'static str, #[prop(optional)] hint: &'static str) -> impl IntoView {
    let locale = use_locale();
    let value = form.signal(key);
    let id = format!("setting-{key}");
    let error = move || form.error_for(key);
    view! {
        <div class="field" class:invalid=move || error().is_some()>
            <label for=id.clone()>{move || locale.text(&crate::settings::field_label(key))}</label>
            <input id=id type="text" inputmode="decimal" data-testid=format!("setting-{key}") prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || if error().is_some() { "true" } else { "false" }/>
            {move || error().map(|e| view! { <span class="field-error" role="alert">{locale.text(&e)}</span> })}
            {(!hint.is_empty()).then(|| view! { <span class="field-hint">{move || locale.t(hint)}</span> })}
        </div>
    }
}

#[component]
fn Choice(form: SettingsForm, key: &'static str, options: &'static [(&'static str, &'static str)]) -> impl IntoView {
    let locale = use_locale();
    let value = form.signal(key);
    let id = format!("setting-{key}");
    view! {
        <div class="field">
            <label for=id.clone()>{move || locale.text(&crate::settings::field_label(key))}</label>
            <select id=id data-testid=format!("setting-{key}") prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))>
                {options.iter().map(|(v, text)| view! { <option value=*v selected=move || value.get() == *v>{*text}</option> }).collect_view()}
            </select>
        </div>
    }
}

#[component]
pub fn SettingsPanel(form: SettingsForm, phase: RwSignal<Phase>) -> impl IntoView {
    let locale = use_locale();
    let share = move || match form.parse() {
        Ok(s) => {
            // The class gets the teacher's language too.
            let query = [s.to_query(), format!("lang={}", locale.lang().code())].into_iter().filter(|q| !q.is_empty()).collect::<Vec<_>>().join("&");
            let base = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
            let base = base.split('?').next().unwrap_or_default().to_string();
            if query.is_empty() { base } else { format!("{base}?{query}") }
        }
        Err(_) => locale.t("share-fix-settings"),
    };
    let locked = move || matches!(phase.get(), Phase::Training | Phase::Paused | Phase::Evaluating);
    view! {
        <section class="panel settings" aria-labelledby="settings-title">
            <h2 id="settings-title">{move || locale.t("settings-title")}</h2>
            <p class="hint">{move || locale.t("settings-defaults")}</p>
            <fieldset disabled=locked>
                <Field form key="hidden" hint="hint-hidden"/>
                <Choice form key="activation" options=&[("relu", "ReLU"), ("sigmoid", "sigmoid"), ("tanh", "tanh")]/>
                <Choice form key="optimizer" options=&[("adam", "Adam"), ("sgd", "SGD")]/>
                <Field form key="lr"/>
                <Field form key="batch"/>
                <Field form key="epochs"/>
                <Field form key="seed"/>
                <Field form key="train" hint="hint-train"/>
                <Field form key="test" hint="hint-test"/>
            </fieldset>
            {move || locked().then(|| view! { <p class="hint">{move || locale.t("settings-locked")}</p> })}
            <label class="share">{move || locale.t("share-link")} <input type="text" readonly prop:value=share on:focus=|ev| {
                use wasm_bindgen::JsCast;
                if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) { input.select(); }
            }/></label>
        </section>
    }
}

#[component]
pub fn TrainingButtons(
    phase: RwSignal<Phase>,
    on_train: impl Fn() + 'static,
    on_pause: impl Fn() + 'static,
    on_step: impl Fn() + 'static,
    on_reset: impl Fn() + 'static,
) -> impl IntoView {
    let locale = use_locale();
    let ready = move || matches!(phase.get(), Phase::Ready | Phase::Paused | Phase::Finished | Phase::Diverged(_));
    let training = move || matches!(phase.get(), Phase::Training | Phase::Evaluating);
    let train_label = move || match phase.get() {
        Phase::Paused => locale.t("resume"),
        Phase::Finished | Phase::Diverged(_) => locale.t("train-again"),
        _ => locale.t("train"),
    };
    view! {
        <div class="buttons" role="toolbar" aria-label=move || locale.t("training-controls")>
            <button class="primary" data-testid="train-button" aria-keyshortcuts="Space" disabled=move || !ready() on:click=move |_| on_train()>{train_label}</button>
            <button data-testid="pause-button" aria-keyshortcuts="Space" disabled=move || !training() on:click=move |_| on_pause()>{move || locale.t("pause")}</button>
            <button data-testid="step-button" aria-keyshortcuts="S" disabled=move || !ready() title=move || locale.t("step-title") on:click=move |_| on_step()>{move || locale.t("step")}</button>
            <button data-testid="reset-button" disabled=move || !(ready() || training()) on:click=move |_| on_reset()>{move || locale.t("reset")}</button>
        </div>
    }
}
