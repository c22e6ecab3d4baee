//! The read-outs under the charts: the seed-format log, the confusion matrix, misclassified digits.

use super::classes::{class_name, use_dataset, worded_for};
use leptos::html::Pre;
use leptos::prelude::*;

use super::digit_image::DigitImage;
use super::locale::use_locale;
use crate::text;
use super::state::MistakeView;
use crate::data::mnist::NUM_CLASSES;

#[component]
pub fn TrainLog(lines: RwSignal<Vec<String>>) -> impl IntoView {
    let locale = use_locale();
    let pre = NodeRef::<Pre>::new();
    // Keep the newest line in view, as a terminal would.
    Effect::new(move |_| {
        lines.track();
        if let Some(p) = pre.get() {
            p.set_scroll_top(p.scroll_height());
        }
    });
    view! {
        <section class="panel">
            <h2>{move || locale.t("log-title")}</h2>
            <pre class="log" data-testid="train-log" node_ref=pre tabindex="0" aria-label=move || locale.t("log-label")>
                {move || lines.with(|l| if l.is_empty() { locale.t("log-empty") } else { l.join("\n") })}
            </pre>
        </section>
    }
}

#[component]
pub fn ConfusionMatrix(matrix: RwSignal<Option<[[u32; NUM_CLASSES]; NUM_CLASSES]>>) -> impl IntoView {
    let locale = use_locale();
    let dataset = use_dataset();
    let name = move |class: usize| class_name(locale, dataset, class);
    view! {
        <section class="panel" aria-labelledby="confusion-title">
            <h2 id="confusion-title">{move || locale.t("confusion-title")}</h2>
            <p class="hint" id="confusion-hint">{move || locale.t(worded_for(dataset, "confusion-hint", "confusion-hint-fashion"))}</p>
            {move || match matrix.get() {
                None => view! { <p class="placeholder" data-testid="confusion-matrix">{move || locale.t("after-first-epoch")}</p> }.into_any(),
                Some(m) => {
                    let max_off = m.iter().enumerate().flat_map(|(t, row)| row.iter().enumerate().filter(move |(p, _)| *p != t).map(|(_, &v)| v)).max().unwrap_or(1).max(1);
                    let total: u32 = m.iter().flatten().sum();
                    let right: u32 = (0..NUM_CLASSES).map(|d| m[d][d]).sum();
                    let (worst_true, worst_said, worst_count) = m.iter().enumerate()
                        .flat_map(|(t, row)| row.iter().enumerate().filter(move |(p, _)| *p != t).map(move |(p, &v)| (t, p, v)))
                        .max_by_key(|&(_, _, v)| v).unwrap_or((0, 0, 0));
                    let summary = if worst_count == 0 {
                        text!("confusion-summary-perfect", total = total)
                    } else {
                        text!("confusion-summary", right = right, total = total, truth = name(worst_true), said = name(worst_said), count = worst_count)
                    };
                    view! {
                        <p class="sr-only" data-testid="confusion-summary">{move || locale.text(&summary)}</p>
                        <div class="confusion-wrap" tabindex="0"><table class="confusion" class:named=dataset != crate::data::Dataset::Mnist data-testid="confusion-matrix" aria-labelledby="confusion-title" aria-describedby="confusion-hint">
                            <thead><tr><th scope="col">{move || locale.t("confusion-corner")}</th>{(0..NUM_CLASSES).map(|p| view! { <th scope="col">{name(p)}</th> }).collect_view()}</tr></thead>
                            <tbody>
                                {m.iter().enumerate().map(|(t, row)| {
                                    let total: u32 = row.iter().sum();
                                    view! {
                                        <tr>
                                            <th scope="row">{name(t)}</th>
                                            {row.iter().enumerate().map(|(p, &v)| {
                                                // Set through CSSOM (style:…), which the page's CSP allows; a style attribute it would not.
                                                let background = if p == t {
                                                    let share = if total == 0 { 0.0 } else { v as f64 / total as f64 };
                                                    format!("rgba(34, 139, 84, {:.2})", 0.15 + 0.6 * share)
                                                } else if v > 0 {
                                                    // At most 0.55 opaque, so the count stays readable (contrast ≥ 4.5 : 1) on the reddest cell.
                                                    format!("rgba(200, 60, 40, {:.2})", 0.1 + 0.45 * (v as f64 / max_off as f64))
                                                } else {
                                                    String::new()
                                                };
                                                // A plain string, not a reactive closure per cell: the table is rebuilt when the
                                                // language changes anyway, and 100 effects made each epoch's render a long task.
                                                let title = locale.text(&text!("confusion-cell", truth = name(t), said = name(p), count = v));
                                                view! { <td style:background=background title=title>{v}</td> }
                                            }).collect_view()}
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any()
                }
            }}
        </section>
    }
}

#[component]
pub fn MistakeGallery(mistakes: RwSignal<Vec<MistakeView>>) -> impl IntoView {
    let locale = use_locale();
    let dataset = use_dataset();
    let name = move |class: u8| class_name(locale, dataset, class as usize);
    view! {
        <section class="panel">
            <h2>{move || locale.t(worded_for(dataset, "mistakes-title", "mistakes-title-fashion"))}</h2>
            <div class="gallery" data-testid="mistakes">
                {move || {
                    let list = mistakes.get();
                    if list.is_empty() {
                        return view! { <p class="placeholder">{move || locale.t("after-each-epoch")}</p> }.into_any();
                    }
                    list.into_iter().map(|m| {
                        let caption = locale.text(&text!("mistake-caption", truth = name(m.truth), said = name(m.predicted)));
                        let label = locale.text(&text!("mistake-label", index = m.index, truth = name(m.truth), said = name(m.predicted)));
                        view! {
                            <figure class="mistake">
                                <DigitImage pixels=Signal::stored(m.pixels) label=label/>
                                <figcaption>{caption}</figcaption>
                            </figure>
                        }
                    }).collect_view().into_any()
                }}
            </div>
        </section>
    }
}
