//! The page's own profiler (the seed's §7.2.2 names TensorBoard and the PyTorch Profiler): while
//! training, one step in `trainer::PROFILE_EVERY` is split into forward, backward and
//! optimizer update (each waited for), with the time spent reading results back, the speed and the
//! backend, and what taking the sample costs.

use leptos::prelude::*;

use super::locale::use_locale;
use crate::text;
use crate::protocol::{BackendKind, StepProfile};

#[component]
pub fn ProfilerPanel(profile: RwSignal<Option<StepProfile>>) -> impl IntoView {
    let locale = use_locale();
    let row = move |label: &'static str, value: Box<dyn Fn(&StepProfile) -> String + Send + Sync>| {
        view! {
            <tr><th scope="row">{move || locale.t(label)}</th>
                <td data-testid=label>{move || profile.with(|p| p.as_ref().map(|p| value(p)).unwrap_or_else(|| "–".into()))}</td></tr>
        }
    };
    let ms = |v: f64| if v.is_finite() { format!("{v:.2} ms") } else { "–".into() };
    let share = move |p: &StepProfile, v: f64| {
        let total = p.forward_ms + p.backward_ms + p.update_ms;
        if total > 0.0 { format!("{} ({:.0} %)", ms(v), 100.0 * v / total) } else { ms(v) }
    };
    // The sample's extra cost, spread over the steps between samples.
    let cost = move || {
        profile.with(|p| {
            p.as_ref().and_then(|p| {
                let sampled = p.forward_ms + p.backward_ms + p.update_ms;
                (p.plain_step_ms.is_finite() && p.plain_step_ms > 0.0).then(|| {
                    let extra = (sampled - p.plain_step_ms).max(0.0) / (p.every as f64 * p.plain_step_ms) * 100.0;
                    let percent = if extra < 0.1 { "< 0.1".to_string() } else { format!("{extra:.1}") };
                    locale.text(&text!("profile-cost", every = p.every, percent = percent))
                })
            })
        })
    };
    view! {
        <section class="panel profiler" aria-labelledby="profiler-title">
            <h2 id="profiler-title">{move || locale.t("profiler-title")}</h2>
            <table class="shapes" data-testid="profiler">
                <tbody>
                    {row("profile-forward", Box::new(move |p| share(p, p.forward_ms)))}
                    {row("profile-backward", Box::new(move |p| share(p, p.backward_ms)))}
                    {row("profile-update", Box::new(move |p| share(p, p.update_ms)))}
                    {row("profile-read", Box::new(move |p| ms(p.read_ms)))}
                    {row("profile-speed", Box::new(|p| if p.images_per_second.is_finite() { format!("{:.0}", p.images_per_second) } else { "–".into() }))}
                    {row("profile-backend", Box::new(move |p| match p.backend { BackendKind::WebGpu => "WebGPU".to_string(), BackendKind::Cpu => locale.t("backend-cpu") }))}
                </tbody>
            </table>
            <p class="hint" data-testid="profile-cost">{move || cost().unwrap_or_else(|| locale.t("profile-waiting"))}</p>
        </section>
    }
}
