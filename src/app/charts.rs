//! Line charts as SVG, drawn from signals: the training loss per step (raw and smoothed) and the test
//! accuracy per epoch. No chart library: a polyline per series keeps the page light.

use leptos::prelude::*;

use super::locale::use_locale;
use crate::text;

const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 220.0;
/// Room for the y labels ("100%") at the projector's larger type too.
const PAD_LEFT: f64 = 64.0;
const PAD_BOTTOM: f64 = 24.0;
const PAD_TOP: f64 = 10.0;
/// At most this many points per series; longer runs are thinned evenly.
const MAX_POINTS: usize = 800;

use crate::export::smooth;

/// `x,y` pairs for an SVG polyline, `x` spread over `0..=x_max`, `y` over `y_min..=y_max`.
fn polyline(values: &[(f64, f64)], x_max: f64, y_min: f64, y_max: f64) -> String {
    let stride = values.len().div_ceil(MAX_POINTS).max(1);
    let plot_w = WIDTH - PAD_LEFT - 8.0;
    let plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM;
    let span = (y_max - y_min).max(1e-9);
    values
        .iter()
        .step_by(stride)
        .chain(values.last().filter(|_| values.len() % stride != 1 % stride))
        .map(|&(x, y)| {
            let px = PAD_LEFT + plot_w * (x / x_max.max(1.0));
            let py = PAD_TOP + plot_h * (1.0 - ((y.clamp(y_min, y_max) - y_min) / span));
            format!("{px:.1},{py:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Axis with a few labelled ticks.
fn y_ticks(y_min: f64, y_max: f64, format: fn(f64) -> String) -> impl IntoView {
    let plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM;
    (0..=4)
        .map(|i| {
            let f = i as f64 / 4.0;
            let y = PAD_TOP + plot_h * (1.0 - f);
            let value = y_min + f * (y_max - y_min);
            view! {
                <line x1=PAD_LEFT x2=WIDTH - 8.0 y1=y y2=y class="grid"/>
                <text x=PAD_LEFT - 6.0 y=y + 4.0 text-anchor="end" class="tick">{format(value)}</text>
            }
        })
        .collect_view()
}

#[component]
pub fn LossChart(losses: RwSignal<Vec<f32>>) -> impl IntoView {
    let locale = use_locale();
    // One smoothing per update, for the curve and for the screen readers' summary (first, latest and
    // lowest smoothed loss).
    let data = Memo::new(move |_| {
        losses.with(|l| {
            let finite: Vec<f32> = l.iter().copied().filter(|v| v.is_finite()).collect();
            let y_max = finite.iter().copied().fold(0.0f32, f32::max).max(0.1) as f64 * 1.05;
            let raw: Vec<(f64, f64)> = l.iter().enumerate().map(|(i, &v)| ((i + 1) as f64, v as f64)).collect();
            let smoothed_values = smooth(l, crate::export::LOSS_SMOOTHING);
            let lowest = smoothed_values.iter().copied().fold(f32::INFINITY, f32::min);
            let summary = smoothed_values.first().zip(smoothed_values.last()).map(|(&first, &last)| (first, last, lowest));
            let smoothed: Vec<(f64, f64)> = smoothed_values.into_iter().enumerate().map(|(i, v)| ((i + 1) as f64, v as f64)).collect();
            let x_max = l.len().max(1) as f64;
            (polyline(&raw, x_max, 0.0, y_max), polyline(&smoothed, x_max, 0.0, y_max), y_max, l.len(), summary)
        })
    });
    let summary = move || match data.with(|d| (d.3, d.4)) {
        (steps, Some((first, last, lowest))) => {
            locale.text(&text!("loss-summary", steps = steps, first = format!("{first:.3}"), last = format!("{last:.3}"), lowest = format!("{lowest:.3}")))
        }
        _ => locale.t("loss-summary-empty"),
    };
    view! {
        <figure class="chart">
            <figcaption id="loss-chart-title">{move || locale.t("loss-chart-title")} " " <span class="legend raw">{move || locale.t("legend-raw")}</span> " " <span class="legend smooth">{move || locale.t("legend-smoothed")}</span></figcaption>
            <svg data-testid="loss-chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby="loss-chart-title" aria-describedby="loss-chart-summary"
                data-points=move || data.with(|d| d.3)>
                {move || y_ticks(0.0, data.with(|d| d.2), |v| format!("{v:.2}"))}
                <text x=WIDTH - 8.0 y=HEIGHT - 6.0 text-anchor="end" class="tick">{move || locale.text(&text!("chart-step", step = data.with(|d| d.3)))}</text>
                <polyline class="series raw" points=move || data.with(|d| d.0.clone())/>
                <polyline class="series smooth" points=move || data.with(|d| d.1.clone())/>
            </svg>
            <p class="sr-only" id="loss-chart-summary" data-testid="loss-chart-summary">{summary}</p>
        </figure>
    }
}

#[component]
pub fn AccuracyChart(accuracies: Signal<Vec<f64>>) -> impl IntoView {
    let locale = use_locale();
    let data = Memo::new(move |_| {
        accuracies.with(|a| {
            let y_min = a.iter().copied().fold(1.0f64, f64::min).min(0.9).max(0.0);
            let points: Vec<(f64, f64)> = a.iter().enumerate().map(|(i, &v)| ((i + 1) as f64, v)).collect();
            (polyline(&points, a.len().max(1) as f64, y_min, 1.0), y_min, a.len())
        })
    });
    view! {
        <figure class="chart">
            <figcaption id="accuracy-chart-title">{move || locale.t("accuracy-chart-title")}</figcaption>
            <svg data-testid="accuracy-chart" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby="accuracy-chart-title"
                data-points=move || data.with(|d| d.2)>
                {move || y_ticks(data.with(|d| d.1), 1.0, |v| format!("{:.0}%", v * 100.0))}
                <polyline class="series accuracy" points=move || data.with(|d| d.0.clone())/>
                {move || {
                    let n = data.with(|d| d.2);
                    accuracies.with(|a| {
                        a.iter().enumerate().map(|(i, &v)| {
                            let plot_w = WIDTH - PAD_LEFT - 8.0;
                            let plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM;
                            let y_min = data.with(|d| d.1);
                            let cx = PAD_LEFT + plot_w * ((i + 1) as f64 / n.max(1) as f64);
                            let cy = PAD_TOP + plot_h * (1.0 - (v - y_min) / (1.0 - y_min).max(1e-9));
                            view! { <circle cx=cx cy=cy r="4" class="dot"><title>{locale.text(&text!("accuracy-point", epoch = i + 1, percent = format!("{:.2}", v * 100.0)))}</title></circle> }
                        }).collect_view()
                    })
                }}
            </svg>
            // The same numbers as a table screen readers can walk through.
            <table class="sr-only" data-testid="accuracy-table">
                <caption>{move || locale.t("accuracy-chart-title")}</caption>
                <thead><tr><th scope="col">{move || locale.t("metric-epoch")}</th><th scope="col">{move || locale.t("metric-test-accuracy")}</th></tr></thead>
                <tbody>
                    {move || accuracies.with(|a| a.iter().enumerate().map(|(i, v)| view! {
                        <tr><td>{i + 1}</td><td>{format!("{:.2}%", v * 100.0)}</td></tr>
                    }).collect_view())}
                </tbody>
            </table>
        </figure>
    }
}
