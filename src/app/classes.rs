//! Which dataset this page learns from (fixed by its link) and its class names as the page writes
//! them: the digit itself for MNIST, the kind of clothing (translated) for Fashion-MNIST.

use leptos::prelude::*;

use super::locale::Locale;
use crate::data::Dataset;

/// Makes the page's dataset available to every component.
pub fn provide_dataset(dataset: Dataset) {
    provide_context(dataset);
}

pub fn use_dataset() -> Dataset {
    use_context::<Dataset>().unwrap_or_default()
}

/// Class `class`'s name in the page's language.
pub fn class_name(locale: Locale, dataset: Dataset, class: usize) -> String {
    match dataset.class_name_id(class) {
        Some(id) => locale.t(id),
        None => class.to_string(),
    }
}

/// A message that names what the data shows: the digit wording for MNIST, its `…-fashion` twin
/// ("the true class", "test image") for Fashion-MNIST.
pub fn worded_for(dataset: Dataset, mnist: &'static str, fashion: &'static str) -> &'static str {
    match dataset {
        Dataset::Mnist => mnist,
        Dataset::Fashion => fashion,
    }
}
