//! One training step of the live network, as six phases (the article's §3.2), on one sample — a test
//! digit or the user's drawing — with the chain rule written out with the real numbers and every
//! gradient checked against burn's autodiff and a central finite difference.

use leptos::prelude::*;

use super::classes::{use_dataset, worded_for};
use super::client::Trainer;
use super::locale::{Locale, use_locale};
use super::state::{Phase, PlaygroundState};
use crate::backprop_step::BackpropView;
use crate::equations::{num, sci};
use crate::optimizer::OptimizerKind;
use crate::settings::PlaygroundSettings;
use crate::text;
use crate::protocol::{BackpropSample, Command};

/// The article's six phases, as message ids.
const PHASES: [&str; 6] = ["phase-initialise", "phase-forward", "phase-loss", "phase-backward", "phase-update", "phase-repeat"];

fn math(latex: &str) -> AnyView {
    super::math::block(latex)
}

fn vector_latex(values: &[f32], max: usize, locale: Locale) -> String {
    let shown: Vec<String> = values.iter().take(max).map(|&v| num(v as f64)).collect();
    let more = if values.len() > max { format!(", \\ldots\\; (\\text{{{}}})", locale.text(&text!("values-count", count = values.len()))) } else { String::new() };
    format!("[{}{}]", shown.join(",\\; "), more)
}

fn norm(values: &[f32]) -> f64 {
    values.iter().map(|&v| (v as f64).powi(2)).sum::<f64>().sqrt()
}

fn phase_body(phase: usize, v: &BackpropView, locale: Locale) -> AnyView {
    let c = &v.chain;
    #[allow(non_snake_case)]
    let L = v.layers.len();
    let y = c.label as usize;
    match phase {
        1 => view! {
            <p>{locale.t("bp-parameters-now")}</p>
            <table class="shapes">
                <thead><tr><th scope="col">{locale.t("bp-layer")}</th><th scope="col">{locale.t("bp-w-shape")}</th><th scope="col">{locale.t("bp-first-weights")}</th><th scope="col">"‖W‖"</th><th scope="col">"‖b‖"</th></tr></thead>
                <tbody>{v.layers.iter().map(|st| view! {
                    <tr><td>{st.name.clone()}</td><td>{format!("{} × {}", st.shape.0, st.shape.1)}</td>
                        <td>{st.weights.iter().take(3).map(|w| format!("{w:.4}")).collect::<Vec<_>>().join(", ")}</td>
                        <td>{format!("{:.3}", norm(&st.weights))}</td><td>{format!("{:.3}", norm(&st.bias))}</td></tr>
                }).collect_view()}</tbody>
            </table>
            {math("W \\sim \\mathcal{U}\\!\\left(-\\tfrac{1}{\\sqrt{n_{in}}},\\; \\tfrac{1}{\\sqrt{n_{in}}}\\right)")}
        }.into_any(),
        2 => view! {
            <p>{locale.t("bp-each-layer")} {super::math::inline("z = hW + b,\\; h' = \\mathrm{ReLU}(z)")} {locale.t("bp-for-this-sample")}</p>
            <table class="shapes">
                <thead><tr><th scope="col">{locale.t("bp-layer")}</th><th scope="col">{locale.t("bp-z-first")}</th><th scope="col">"‖z‖"</th><th scope="col">{locale.t("bp-h-first")}</th><th scope="col">"‖h‖"</th></tr></thead>
                <tbody>{v.layers.iter().map(|st| view! {
                    <tr><td>{st.name.clone()}</td>
                        <td>{st.z.iter().take(4).map(|x| format!("{x:.3}")).collect::<Vec<_>>().join(", ")}</td><td>{format!("{:.3}", norm(&st.z))}</td>
                        <td>{st.h.iter().take(4).map(|x| format!("{x:.3}")).collect::<Vec<_>>().join(", ")}</td><td>{format!("{:.3}", norm(&st.h))}</td></tr>
                }).collect_view()}</tbody>
            </table>
            {math(&format!("h_{{{}}} = {}\\quad \\lVert h_{{{}}}\\rVert = {}", L - 1, vector_latex(&c.hidden_out_in, 6, locale), L - 1, num(norm(&c.hidden_out_in))))}
            {math(&format!("z_{L} = h_{{{}}}W_{L} + b_{L} = {}", L - 1, vector_latex(&c.logits, 10, locale)))}
        }.into_any(),
        3 => view! {
            {math(&format!("\\text{{MSE}} = \\tfrac{{1}}{{n}}\\sum_i (y_i - \\hat{{y}}_i)^2 \\qquad \\text{{{}}}\\; L = -\\sum_i y_i \\log p_i = -\\log p_y", locale.t("bp-cross-entropy")))}
            {math(&format!("p = \\mathrm{{softmax}}(z_{L}) = {}", vector_latex(&c.probabilities, 10, locale)))}
            {math(&format!("L = -\\log p_{{{y}}} = -\\log {} = {}", num(c.probabilities.get(y).copied().unwrap_or(f32::NAN) as f64), num(c.loss as f64)))}
        }.into_any(),
        4 => {
            let unit = v.unit;
            let row: Vec<f32> = c.grad_w_out.iter().skip(unit * 10).take(10).copied().collect();
            let zeroed = c.activation_grad_prev.iter().filter(|&&m| m == 0.0).count();
            let sample: Vec<String> = (0..6.min(c.delta_prev.len())).map(|i| format!("{}\\cdot{}={}", num(c.upstream_prev[i] as f64), num(c.activation_grad_prev[i] as f64), num(c.delta_prev[i] as f64))).collect();
            let delta_values = c.delta_out.iter().map(|v| format!("{v:.6}")).collect::<Vec<_>>().join(",");
            view! {
                {math("\\frac{\\partial L}{\\partial W} = \\frac{\\partial L}{\\partial \\hat{y}}\\cdot\\frac{\\partial \\hat{y}}{\\partial W}")}
                <div data-testid="mlp-delta4" data-values=delta_values>
                    {math(&format!("\\delta_{L} = \\frac{{\\partial L}}{{\\partial z_{L}}} = p - \\mathrm{{onehot}}({y}) = {}", vector_latex(&c.delta_out, 10, locale)))}
                </div>
                {math(&format!("\\frac{{\\partial L}}{{\\partial W_{L}}} = h_{{{}}}^{{\\top}}\\delta_{L}\\; \\text{{— {}}}:\\; {}", L - 1, locale.text(&text!("bp-row-of-unit", unit = unit)), vector_latex(&row, 10, locale)))}
                {math(&format!("\\frac{{\\partial L}}{{\\partial b_{L}}} = \\delta_{L}"))}
                {math(&format!("\\delta_{{{0}}} = (\\delta_{L} W_{L}^{{\\top}}) \\odot \\mathbb{{1}}[z_{{{0}}} > 0]:\\; {1},\\; \\ldots", L - 1, sample.join(",\\; ")))}
                <p class="hint">{locale.text(&text!("bp-relu-mask", zeroed = zeroed, entries = c.delta_prev.len(), layer = L - 1))}</p>
                {math(&format!("\\frac{{\\partial L}}{{\\partial W_{{{0}}}}} = h_{{{1}}}^{{\\top}}\\delta_{{{0}}}", L - 1, L - 2))}
                <ul class="checks">
                    {v.checks.iter().map(|check| {
                        let ok = check.ok();
                        let fd = check.finite_difference.map(|fd| locale.text(&text!("bp-finite-difference", value = format!("{fd:.6}"), gap = format!("{:.1e}", (fd - check.closed_form).abs())))).unwrap_or_default();
                        view! {
                            <li data-testid="mlp-grad-check" data-ok=ok.to_string() class:ok=ok class:bad=!ok>
                                <span class="tick">{if ok { "✔" } else { "✘" }}</span>
                                {locale.text(&text!("bp-check", name = &check.name, closed = format!("{:.6}", check.closed_form), autodiff = format!("{:.6}", check.autodiff),
                                    gap = format!("{:.1e}", (check.autodiff - check.closed_form).abs()), fd = fd))}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }
        5 => {
            let u = &v.update;
            let (g, alpha) = (u.gradient, u.learning_rate);
            let name = format!("w = W{L}[{}, {}]", v.unit, y);
            let adam = u.adam;
            let adam_lines = (u.optimizer == OptimizerKind::Adam).then(|| view! {
                {math(&format!("\\text{{Adam }}(t={},\\; m_{{t-1}}={},\\; v_{{t-1}}={}):\\; m \\leftarrow \\beta_1 m + (1-\\beta_1) g = {}", u.adam_t, num(u.adam_m_before), sci(u.adam_v_before), num(adam.m)))}
                {math(&format!("v \\leftarrow \\beta_2 v + (1-\\beta_2) g^2 = {}", sci(adam.v)))}
                {math(&format!("\\hat{{m}} = \\frac{{m}}{{1-\\beta_1^t}} = {},\\quad \\hat{{v}} = \\frac{{v}}{{1-\\beta_2^t}} = {}", num(adam.m_hat), sci(adam.v_hat)))}
                {math(&format!("w \\leftarrow w - \\alpha\\,\\frac{{\\hat{{m}}}}{{\\sqrt{{\\hat{{v}}}} + \\varepsilon}} = {}", num(adam.w)))}
                <p class="hint">{if u.adam_t == 1 { locale.t("bp-adam-first-step") } else { locale.t("bp-adam-moments") }}</p>
            });
            let which = match u.optimizer {
                OptimizerKind::Adam => text!("bp-uses-adam"),
                OptimizerKind::Sgd => text!("bp-uses-sgd"),
            };
            view! {
                <p data-testid="update-learning-rate" data-value=alpha.to_string()>{locale.text(&text!("bp-update-intro", name = name, alpha = alpha.to_string(), which = which))}</p>
                {math(&format!("\\text{{SGD: }} w \\leftarrow w - \\alpha g = {} - {}\\cdot {} = {}", num(u.weight), num(alpha), num(g), num(u.sgd)))}
                {adam_lines}
            }.into_any()
        }
        _ => view! {
            <p>{locale.t("bp-repeat")}</p>
        }.into_any(),
    }
}

#[component]
pub fn BackpropPanel(trainer: Trainer, state: PlaygroundState, settings: Signal<Option<PlaygroundSettings>>) -> impl IntoView {
    let locale = use_locale();
    let dataset = use_dataset();
    let phase = RwSignal::new(1usize);
    let sample_index = RwSignal::new(String::from("0"));
    let use_drawing = RwSignal::new(false);
    let view_data = state.backprop;
    let computing = RwSignal::new(false);
    let applied = state.apply_result;
    let apply = move |live: bool| {
        applied.set(Some(text!("applying")));
        trainer.send(Command::ApplyUpdate { live });
    };
    Effect::new(move |_| {
        view_data.track();
        computing.set(false);
    });

    let recompute = move || {
        let sample = if use_drawing.get_untracked() {
            match state.drawing.get_untracked() {
                Some((pixels, label)) => BackpropSample::Drawing { pixels, label },
                None => {
                    view_data.set(Some(Err(text!("bp-draw-first"))));
                    return;
                }
            }
        } else {
            BackpropSample::Test(sample_index.get_untracked().trim().parse().unwrap_or(0))
        };
        let settings = settings.get_untracked().unwrap_or_default().to_query();
        computing.set(true);
        trainer.send(Command::Backprop { sample, settings });
    };
    // Nothing is computed until the panel is used: on a software GPU adapter these kernels compete with
    // training for the device. Once in use, it follows the model, but not while training runs.
    let in_use = RwSignal::new(false);
    let activate = move || {
        if !in_use.get_untracked() {
            in_use.set(true);
        }
    };
    Effect::new(move |_| {
        state.model_version.track();
        let idle = !matches!(state.phase.get(), Phase::Training | Phase::Evaluating);
        if in_use.get() && idle {
            recompute();
        }
    });
    let next = move || {
        activate();
        phase.update(|p| *p = (*p % 6) + 1)
    };
    let prev = move || {
        activate();
        phase.update(|p| *p = if *p == 1 { 6 } else { *p - 1 })
    };

    view! {
        <section class="panel backprop" aria-labelledby="backprop-title">
            <h2 id="backprop-title">{move || locale.t("backprop-title")}</h2>
            <div class="sample-choice">
                <label>{move || locale.t(worded_for(dataset, "test-digit-number", "test-image-number"))} <input type="number" min="0" data-testid="backprop-sample" prop:value=move || sample_index.get()
                    on:change=move |ev| { sample_index.set(event_target_value(&ev)); use_drawing.set(false); if in_use.get_untracked() { recompute() } else { activate() } }/></label>
                <button data-testid="backprop-use-drawing" on:click=move |_| { use_drawing.set(true); if in_use.get_untracked() { recompute() } else { activate() } }>{move || locale.t("use-my-drawing")}</button>
                <button data-testid="backprop-compute" on:click=move |_| if in_use.get_untracked() { recompute() } else { activate() }>{move || locale.t("compute-live")}</button>
                {move || computing.get().then(|| view! { <span class="hint">{move || locale.t("computing")}</span> })}
            </div>
            <ol class="phases" role="list">
                {PHASES.into_iter().enumerate().map(|(i, id)| {
                    let n = i + 1;
                    view! {
                        <li class:current=move || phase.get() == n>
                            <button data-testid=format!("phase-{n}") aria-current=move || (phase.get() == n).then_some("step")
                                on:click=move |_| { activate(); phase.set(n) }>
                                <span class="phase-number">{n}</span>{move || locale.t(id)}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ol>
            <div class="network-diagram" aria-hidden="true">
                {move || {
                    let shapes: Vec<(String, usize)> = view_data.with(|v| v.as_ref().and_then(|r| r.as_ref().ok()).map(|v| v.layers.iter().map(|l| (l.name.clone(), l.shape.1)).collect())).unwrap_or_default();
                    let p = phase.get();
                    let mut boxes = vec![(locale.t("input"), 784usize)];
                    boxes.extend(shapes.iter().cloned());
                    boxes.into_iter().enumerate().map(|(i, (name, size))| {
                        let active = match p { 2 | 3 => true, 4 => i + 2 >= shapes.len() + 1, 5 => i > 0, _ => i > 0 };
                        view! { <div class="layer-box" class:active=active><strong>{name}</strong><span>{size}</span></div> }
                    }).collect_view()
                }}
            </div>
            <div class="phase-body">
                {move || match view_data.get() {
                    None => view! { <p class="placeholder">{locale.t("bp-placeholder")}</p> }.into_any(),
                    Some(Err(e)) => view! { <p class="placeholder">{locale.text(&e)}</p> }.into_any(),
                    Some(Ok(v)) => phase_body(phase.get(), &v, locale),
                }}
                {move || (phase.get() == 5 && matches!(view_data.get(), Some(Ok(_)))).then(|| view! {
                    <div class="buttons">
                        <button data-testid="apply-copy" on:click=move |_| apply(false)>{move || locale.t("apply-copy")}</button>
                        <button data-testid="apply-live" on:click=move |_| apply(true)>{move || locale.t("apply-live")}</button>
                    </div>
                    <p class="hint" data-testid="apply-result" role="status">{move || applied.get().map(|t| locale.text(&t))}</p>
                })}
            </div>
            <div class="buttons">
                <button data-testid="phase-prev" aria-keyshortcuts="ArrowLeft" on:click=move |_| prev()>{move || locale.t("previous")}</button>
                <button class="primary" data-testid="phase-next" aria-keyshortcuts="ArrowRight" on:click=move |_| next()>{move || locale.t("next")}</button>
            </div>
        </section>
    }
}
