//! The reader's language (`use_locale`): from `?lang=` (a teacher's link), else the choice saved in
//! this browser, else the first of `navigator.languages` the page speaks. Switching re-renders every
//! text in place (the trainer keeps running), is saved, keeps `?lang=` in the address bar in step so
//! a copied link carries it, and sets `<html lang>`.

use leptos::prelude::*;

use crate::i18n::{Lang, Text, Translations};

thread_local! {
    static TRANSLATIONS: Translations = Translations::with_time_format(local_time);
}

/// A time as the reader's browser writes it in their language ("2026/12/1 10:31", "1 Dec 2026, 10:31").
fn local_time(ms: f64, lang: Lang) -> String {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    String::from(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms)).to_locale_string(lang.html_lang(), &options))
}

const STORAGE_KEY: &str = "backprop-playground.lang";

#[derive(Clone, Copy)]
pub struct Locale {
    lang: RwSignal<Lang>,
}

impl Locale {
    /// The current language (tracked).
    pub fn lang(&self) -> Lang {
        self.lang.get()
    }

    pub fn set(&self, lang: Lang) {
        self.lang.set(lang);
        if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = storage.set_item(STORAGE_KEY, lang.code());
        }
        replace_lang_in_address(lang);
    }

    /// A message without arguments, in the current language (tracked, so a view re-renders on a switch).
    pub fn t(&self, id: &'static str) -> String {
        let lang = self.lang.get();
        TRANSLATIONS.with(|t| t.message(lang, id))
    }

    /// A message with arguments, or one that came from the trainer.
    pub fn text(&self, text: &Text) -> String {
        let lang = self.lang.get();
        TRANSLATIONS.with(|t| t.format(lang, text))
    }
}

/// `?lang=` keeps up with the switch, so the address bar is always a link to what is on screen.
fn replace_lang_in_address(lang: Lang) {
    let Some(window) = web_sys::window() else { return };
    let Ok(href) = window.location().href() else { return };
    let Ok(url) = web_sys::Url::new(&href) else { return };
    if url.search_params().get("lang").is_none() {
        return;
    }
    url.search_params().set("lang", lang.code());
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url.href()));
    }
}

fn initial_language(query_lang: Option<&str>) -> Lang {
    if let Some(lang) = query_lang.and_then(Lang::from_tag) {
        return lang;
    }
    let window = web_sys::window();
    let saved = window.as_ref().and_then(|w| w.local_storage().ok().flatten()).and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
    if let Some(lang) = saved.as_deref().and_then(Lang::from_tag) {
        return lang;
    }
    let preferred: Vec<String> = window
        .map(|w| w.navigator().languages().iter().filter_map(|l| l.as_string()).collect())
        .unwrap_or_default();
    Lang::negotiate(preferred.iter().map(String::as_str))
}

/// Chooses the language, provides it to every component and keeps `<html lang>` and the title in step.
pub fn provide_locale(query_lang: Option<&str>) -> Locale {
    let locale = Locale { lang: RwSignal::new(initial_language(query_lang)) };
    provide_context(locale);
    Effect::new(move |_| {
        let lang = locale.lang();
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            if let Some(html) = document.document_element() {
                let _ = html.set_attribute("lang", lang.html_lang());
            }
            document.set_title(&locale.t("page-title"));
        }
    });
    locale
}

/// The language the page shows (English where no provider is above, as in a bare test mount).
pub fn use_locale() -> Locale {
    use_context::<Locale>().unwrap_or_else(|| Locale { lang: RwSignal::new(Lang::En) })
}
