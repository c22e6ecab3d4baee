//! The read-outs under the charts: the seed-format log, the confusion matrix, misclassified digits.

use leptos::html::Pre;
use leptos::prelude::*;

use super::digit_image::DigitImage;
use super::state::MistakeView;
use crate::data::mnist::NUM_CLASSES;

#[component]
pub fn TrainLog(lines: RwSignal<Vec<String>>) -> impl IntoView {
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
            <h2>"Log"</h2>
            <pre class="log" data-testid="train-log" node_ref=pre tabindex="0" aria-label="training log">
                {move || lines.with(|l| if l.is_empty() { "Nothing yet: press Train.".to_string() } else { l.join("\n") })}
            </pre>
        </section>
    }
}

#[component]
pub fn ConfusionMatrix(matrix: RwSignal<Option<[[u32; NUM_CLASSES]; NUM_CLASSES]>>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"Confusion matrix"</h2>
            <p class="hint">"Rows: the true digit. Columns: what the network said. The diagonal is right."</p>
            {move || match matrix.get() {
                None => view! { <p class="placeholder" data-testid="confusion-matrix">"Shown after the first epoch."</p> }.into_any(),
                Some(m) => {
                    let max_off = m.iter().enumerate().flat_map(|(t, row)| row.iter().enumerate().filter(move |(p, _)| *p != t).map(|(_, &v)| v)).max().unwrap_or(1).max(1);
                    view! {
                        <table class="confusion" data-testid="confusion-matrix">
                            <thead><tr><th scope="col">"true \\ said"</th>{(0..NUM_CLASSES).map(|p| view! { <th scope="col">{p}</th> }).collect_view()}</tr></thead>
                            <tbody>
                                {m.iter().enumerate().map(|(t, row)| {
                                    let total: u32 = row.iter().sum();
                                    view! {
                                        <tr>
                                            <th scope="row">{t}</th>
                                            {row.iter().enumerate().map(|(p, &v)| {
                                                // Set through CSSOM (style:…), which the page's CSP allows; a style attribute it would not.
                                                let background = if p == t {
                                                    let share = if total == 0 { 0.0 } else { v as f64 / total as f64 };
                                                    format!("rgba(34, 139, 84, {:.2})", 0.15 + 0.6 * share)
                                                } else if v > 0 {
                                                    format!("rgba(200, 60, 40, {:.2})", 0.1 + 0.7 * (v as f64 / max_off as f64))
                                                } else {
                                                    String::new()
                                                };
                                                view! { <td style:background=background title=format!("true {t}, said {p}: {v}")>{v}</td> }
                                            }).collect_view()}
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }
            }}
        </section>
    }
}

#[component]
pub fn MistakeGallery(mistakes: RwSignal<Vec<MistakeView>>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"Misclassified test digits"</h2>
            <div class="gallery" data-testid="mistakes">
                {move || {
                    let list = mistakes.get();
                    if list.is_empty() {
                        return view! { <p class="placeholder">"Shown after each epoch."</p> }.into_any();
                    }
                    list.into_iter().map(|m| {
                        let caption = format!("true {}, said {}", m.truth, m.predicted);
                        let label = format!("test image {}: {caption}", m.index);
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
