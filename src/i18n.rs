//! Every text the page shows, in 简体中文 and English, through Project Fluent (`locales/*.ftl`).
//!
//! The core never builds a sentence for the reader: it sends a [`Text`] — a message id of the `.ftl`
//! files and its named arguments — and the page formats it in the reader's language, again whenever
//! the language changes, so switching loses nothing. A native test (`tests/native/i18n.rs`) checks that
//! both files hold the same messages with the same arguments and that every id the sources name exists.

use std::borrow::Cow;

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};

/// The English messages (also the fallback for an id missing from another language).
pub const ENGLISH_FTL: &str = include_str!("../locales/en.ftl");
/// 简体中文.
pub const CHINESE_FTL: &str = include_str!("../locales/zh.ftl");

/// A language the page speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// In the order the switch shows them.
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// As in `?lang=` and the saved choice.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// For `<html lang>`, so screen readers and fonts pick the right language.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// The language's own name, as the switch shows it.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "中文",
        }
    }

    /// `zh`, `zh-CN`, `zh-Hans-CN`, `en-GB`, `EN` …; `None` for a language the page does not speak.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first of the reader's preferred languages (`navigator.languages`) that the page speaks;
    /// English when none is.
    pub fn negotiate<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Lang {
        preferred.into_iter().find_map(Lang::from_tag).unwrap_or_default()
    }
}

/// A message for the reader: an id of `locales/*.ftl` and its arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Text {
    pub id: Cow<'static, str>,
    pub args: Vec<(Cow<'static, str>, Arg)>,
}

/// One argument of a [`Text`]. Numbers select plural forms; a nested text is formatted in the same
/// language as the sentence around it; a time (ms since 1970) is written the reader's way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Arg {
    Str(String),
    Num(f64),
    Text(Text),
    Time(f64),
}

/// `text!(id, name = value, …)`: a [`Text`] with its arguments (anything `Into<Arg>`).
#[macro_export]
macro_rules! text {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::Text::new($id)$(.with(stringify!($name), $value))*
    };
}

impl Text {
    pub fn new(id: &'static str) -> Self {
        Self { id: Cow::Borrowed(id), args: Vec::new() }
    }

    /// Adds a named argument.
    pub fn with(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.args.push((Cow::Borrowed(name), value.into()));
        self
    }

    /// Words that are not translated: a library's own error, a file's contents.
    pub fn verbatim(words: impl Into<String>) -> Self {
        Text::new("verbatim").with("text", Arg::Str(words.into()))
    }

    /// The text in English, for logs and tests.
    pub fn english(&self) -> String {
        Translations::new().format(Lang::En, self)
    }
}

/// ", 97.9%" for a fraction, or nothing: the accuracy after a description (a saved run, a recent model).
pub fn percent_suffix(fraction: Option<f64>) -> Text {
    match fraction {
        Some(f) => crate::text!("percent-suffix", percent = format!("{:.1}", f * 100.0)),
        None => crate::text!("empty"),
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Str(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Str(s.to_string())
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Self {
        Arg::Str(s.clone())
    }
}

impl From<Text> for Arg {
    fn from(t: Text) -> Self {
        Arg::Text(t)
    }
}

macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Self {
                Arg::Num(n as f64)
            }
        }
    )*};
}
number_args!(f64, f32, usize, u64, u32, u8, i64, i32);

/// Writes a time (ms since 1970) for a reader of `Lang`.
pub type TimeFormat = fn(f64, Lang) -> String;

/// Both languages' messages, parsed once.
pub struct Translations {
    english: FluentBundle<FluentResource>,
    chinese: FluentBundle<FluentResource>,
    time_format: TimeFormat,
}

/// `2026-12-01 10:31 UTC`: the same in both languages, for native use (the page writes local time).
pub fn utc_time(ms: f64, _lang: Lang) -> String {
    let secs = (ms / 1000.0).floor() as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02} UTC", rest / 3600, rest % 3600 / 60)
}

impl Default for Translations {
    fn default() -> Self {
        Self::new()
    }
}

fn bundle(lang: Lang, source: &str) -> FluentBundle<FluentResource> {
    // A file with a syntax error still yields every message that parsed (the test refuses the error).
    let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(partial, _)| partial);
    // Plural rules are chosen by this tag (English: one/other; Chinese: other only).
    let tag: unic_langid::LanguageIdentifier = lang.code().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new(vec![tag]);
    // No Unicode isolation marks around arguments: they show as boxes in some fonts and in copied text.
    bundle.set_use_isolating(false);
    // Duplicate ids are refused by the test; here the first one wins.
    let _ = bundle.add_resource(resource);
    bundle
}

impl Translations {
    pub fn new() -> Self {
        Self::with_time_format(utc_time)
    }

    /// With the page's own way of writing times (the browser's, in the reader's language).
    pub fn with_time_format(time_format: TimeFormat) -> Self {
        Self { english: bundle(Lang::En, ENGLISH_FTL), chinese: bundle(Lang::Zh, CHINESE_FTL), time_format }
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::En => &self.english,
            Lang::Zh => &self.chinese,
        }
    }

    /// The text in `lang`; in English where `lang` lacks the id, and the bare id where both do.
    pub fn format(&self, lang: Lang, text: &Text) -> String {
        let found = [lang, Lang::En].into_iter().find_map(|l| {
            let bundle = self.bundle(l);
            bundle.get_message(&text.id).and_then(|m| m.value()).map(|pattern| (l, bundle, pattern))
        });
        let Some((found_in, bundle, pattern)) = found else { return text.id.to_string() };
        let mut args = FluentArgs::new();
        for (name, value) in &text.args {
            let value = match value {
                Arg::Str(s) => FluentValue::from(s.as_str()),
                Arg::Num(n) => FluentValue::from(*n),
                Arg::Text(t) => FluentValue::from(self.format(found_in, t)),
                Arg::Time(ms) => FluentValue::from((self.time_format)(*ms, found_in)),
            };
            args.set(name.as_ref(), value);
        }
        let mut errors = Vec::new();
        bundle.format_pattern(pattern, Some(&args), &mut errors).into_owned()
    }

    /// A message without arguments.
    pub fn message(&self, lang: Lang, id: &'static str) -> String {
        self.format(lang, &Text::new(id))
    }
}
