//! The article's §4.2 worked example, corrected: one sigmoid neuron, every value editable, every line
//! typeset first symbolically, then with the numbers, then the result — recomputed as you type.

use leptos::prelude::*;

use super::locale::use_locale;
use crate::equations::worked_example;
use crate::i18n::Text;
use crate::neuron::SigmoidNeuron;
use crate::text;

fn parse(input: &str) -> Result<f64, Text> {
    let v: f64 = input.trim().parse().map_err(|_| text!("field-not-number", value = input.trim()))?;
    if !v.is_finite() || v.abs() > 1e6 {
        return Err(text!("example-range"));
    }
    Ok(v)
}

#[component]
fn NumberInput(id: &'static str, label: &'static str, value: RwSignal<String>) -> impl IntoView {
    let locale = use_locale();
    let error = move || parse(&value.get()).err();
    view! {
        <label class="example-input" class:invalid=move || error().is_some()>
            {super::math::inline(label)}
            <input type="text" inputmode="decimal" data-testid=format!("example-{id}") prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev)) aria-label=id/>
            {move || error().map(|e| view! { <span class="field-error">{locale.text(&e)}</span> })}
        </label>
    }
}

/// One editable input per value of the example.
#[derive(Clone, Copy)]
struct ExampleInputs {
    x1: RwSignal<String>,
    x2: RwSignal<String>,
    y: RwSignal<String>,
    w1: RwSignal<String>,
    w2: RwSignal<String>,
    b: RwSignal<String>,
    alpha: RwSignal<String>,
}

impl ExampleInputs {
    fn new() -> Self {
        let n = SigmoidNeuron::article_example();
        let s = |v: f64| RwSignal::new(format!("{v}"));
        Self { x1: s(n.x[0]), x2: s(n.x[1]), y: s(n.y), w1: s(n.w[0]), w2: s(n.w[1]), b: s(n.b), alpha: s(SigmoidNeuron::ARTICLE_ALPHA) }
    }

    fn neuron(&self) -> Option<(SigmoidNeuron, f64)> {
        let g = |s: RwSignal<String>| parse(&s.get()).ok();
        Some((SigmoidNeuron { x: vec![g(self.x1)?, g(self.x2)?], y: g(self.y)?, w: vec![g(self.w1)?, g(self.w2)?], b: g(self.b)? }, g(self.alpha)?))
    }
}

#[component]
pub fn WorkedExample() -> impl IntoView {
    let locale = use_locale();
    let inputs = ExampleInputs::new();
    // Losses over repeated updates, with the correct sign and with the article's sign.
    let history: RwSignal<Vec<(f64, f64)>> = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        inputs.neuron();
        history.set(Vec::new());
    });
    let lines = move || {
        inputs.neuron().map(|(neuron, alpha)| {
            let step = neuron.step(alpha);
            worked_example(&neuron, &step, alpha)
        })
    };
    let repeat = move |_| {
        let Some((start, alpha)) = inputs.neuron() else { return };
        let mut right = start.clone();
        let mut wrong = start;
        let mut out = vec![(right.step(alpha).loss, wrong.step(alpha).loss)];
        for _ in 0..history.with_untracked(|h| h.len().max(1) + 9) {
            right = right.updated(&right.step(alpha));
            wrong = wrong.updated(&wrong.step_with_article_sign(alpha));
            out.push((right.step(alpha).loss, wrong.step(alpha).loss));
        }
        history.set(out);
    };
    let plot = move || {
        let h = history.get();
        if h.is_empty() {
            return None;
        }
        let max = h.iter().flat_map(|(a, b)| [*a, *b]).fold(1e-9, f64::max);
        let pts = |pick: fn(&(f64, f64)) -> f64| {
            h.iter().enumerate().map(|(i, p)| format!("{:.1},{:.1}", 30.0 + 360.0 * i as f64 / (h.len() - 1).max(1) as f64, 150.0 - 130.0 * pick(p) / max)).collect::<Vec<_>>().join(" ")
        };
        let (last_right, last_wrong) = h.last().copied().unwrap_or_default();
        Some(view! {
            <svg class="example-plot" viewBox="0 0 400 170" role="img" aria-label=move || locale.t("example-plot-label") data-testid="example-loss-plot">
                <line x1="30" y1="150" x2="390" y2="150" class="grid"/>
                <polyline class="series smooth" points=pts(|p| p.0)/>
                <polyline class="series wrong" points=pts(|p| p.1)/>
                <text x="30" y="14" class="tick">{locale.text(&text!("example-plot-max", value = format!("{max:.4}")))}</text>
            </svg>
            <p class="hint">{locale.text(&text!("example-after-updates", updates = h.len() - 1, right = format!("{last_right:.4}"), wrong = format!("{last_wrong:.4}")))}</p>
        })
    };

    view! {
        <section class="panel worked-example" aria-labelledby="example-title">
            <h2 id="example-title">{move || locale.t("example-title")}</h2>
            <p class="hint">{move || locale.t("example-intro-before")}
                {super::math::inline("\\frac{\\partial L}{\\partial W} = (y - \\hat{y})\\cdot\\hat{y}(1-\\hat{y})\\cdot x")}
                {move || locale.t("example-intro-after")}</p>
            <div class="example-inputs">
                <NumberInput id="x1" label="x_1" value=inputs.x1/>
                <NumberInput id="x2" label="x_2" value=inputs.x2/>
                <NumberInput id="y" label="y" value=inputs.y/>
                <NumberInput id="w1" label="w_1" value=inputs.w1/>
                <NumberInput id="w2" label="w_2" value=inputs.w2/>
                <NumberInput id="b" label="b" value=inputs.b/>
                <NumberInput id="alpha" label="\\alpha" value=inputs.alpha/>
            </div>
            <ol class="derivation">
                {move || match lines() {
                    None => view! { <li class="field-error">{move || locale.t("example-fix-value")}</li> }.into_any(),
                    Some(lines) => lines.into_iter().map(|line| {
                        view! {
                            <li>
                                {super::math::display_in_line(&line.full_latex())}
                                <span class="value" data-testid=format!("example-{}", line.id) data-value=format!("{}", line.value)>{format!("{:.6}", line.value)}</span>
                            </li>
                        }
                    }).collect_view().into_any(),
                }}
            </ol>
            <div class="buttons">
                <button data-testid="example-repeat" on:click=repeat>{move || locale.t("example-repeat")}</button>
            </div>
            {plot}
        </section>
    }
}
