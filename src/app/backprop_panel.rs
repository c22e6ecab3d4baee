//! One training step of the live network, as six phases (the article's §3.2), on one sample — a test
//! digit or the user's drawing — with the chain rule written out with the real numbers and every
//! gradient checked against burn's autodiff and a central finite difference.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::engine::EngineHandle;
use super::state::PlaygroundState;
use crate::chain_rule::{ChainRule, adam_step, autodiff_gradients, chain_rule, finite_difference, sgd_step};
use crate::equations::{latex_to_mathml, num, sci};
use crate::model::Mlp;
use crate::training::{ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON};

const PHASES: [&str; 6] = ["Initialise parameters", "Forward propagation", "Compute loss", "Backpropagation", "Update parameters", "Repeat"];
/// Agreement needed for a green tick (f32 on the GPU: autodiff to 1e-5, finite differences to 1e-3).
const AUTODIFF_TOLERANCE: f64 = 1e-5;
const FD_TOLERANCE: f64 = 1e-3;

/// One checked gradient entry.
#[derive(Debug, Clone, PartialEq)]
pub struct GradCheck {
    pub name: String,
    pub closed_form: f64,
    pub autodiff: f64,
    pub finite_difference: Option<f64>,
}

impl GradCheck {
    pub fn ok(&self) -> bool {
        (self.closed_form - self.autodiff).abs() <= AUTODIFF_TOLERANCE
            && self.finite_difference.is_none_or(|fd| (fd - self.closed_form).abs() <= FD_TOLERANCE)
    }
}

/// Everything the panel shows, computed once per sample/model.
#[derive(Debug, Clone, PartialEq)]
pub struct BackpropView {
    pub chain: ChainRule,
    pub checks: Vec<GradCheck>,
    pub layer_shapes: Vec<(String, usize, usize)>,
    /// The hidden unit whose row of ∂L/∂W_L is shown.
    pub unit: usize,
    /// The chosen weight `W_L[unit, label]` before the update.
    pub weight: f64,
    pub learning_rate: f64,
    /// The sample, so step 5 can apply a real update on it.
    pub pixels: Vec<u8>,
    /// Per layer: a few weights, ‖W‖, ‖b‖, and this sample's z and h (activation; logits for the last).
    pub layer_stats: Vec<LayerStats>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LayerStats {
    pub weights: Vec<f32>,
    pub bias: Vec<f32>,
    pub z: Vec<f32>,
    pub h: Vec<f32>,
}

/// Reads every layer's parameters and this sample's activations in one transfer.
async fn layer_stats(model: &Mlp, pixels: &[u8], device: &burn::tensor::Device) -> Result<Vec<LayerStats>, String> {
    let trace = model.forward_trace(crate::chain_rule::single_input(pixels, device));
    let last = model.layers.len() - 1;
    let mut t = burn::tensor::Transaction::default();
    for (i, layer) in model.layers.iter().enumerate() {
        t = t.register(layer.weight.val()); // [in, out]
        t = t.register(layer.bias.as_ref().map(|b| b.val()).unwrap_or_else(|| burn::tensor::Tensor::<1>::zeros([1], device))); // [out]
        t = t.register(trace.pre[i].clone()); // [1, out]
        t = t.register(if i < last { trace.post[i].clone() } else { trace.pre[i].clone() }); // [1, out]
    }
    let data = t.execute_async().await.map_err(|e| e.to_string())?;
    let v = |i: usize| data.get(i).map(|d| d.iter::<f32>().collect::<Vec<f32>>()).unwrap_or_default();
    Ok((0..model.layers.len()).map(|i| LayerStats { weights: v(4 * i), bias: v(4 * i + 1), z: v(4 * i + 2), h: v(4 * i + 3) }).collect())
}

/// Runs one real Adam step on `v`'s sample — on a copy with fresh optimizer state (where the hand-written
/// step must match burn's exactly), or on the live model — and reports the chosen weight before/after.
async fn apply_update(engine: EngineHandle, state: PlaygroundState, v: BackpropView, live: bool) -> Result<String, String> {
    use crate::data::{MnistDataset, make_batch};
    use crate::training::{TrainingConfig, TrainingSession};
    let sample = MnistDataset::new(v.pixels.clone(), vec![v.chain.label]).map_err(|e| e.to_string())?;
    let layers = v.layer_shapes.len();
    let index = v.unit * 10 + v.chain.label as usize;
    let read_weight = |session: &TrainingSession| session.model.layers[layers - 1].weight.val();
    if live {
        let mut run = {
            let mut e = engine.borrow_mut();
            if e.busy {
                return Err("Pause training first.".into());
            }
            e.run.take().ok_or("Train or step once first, so there is a live training run to update.")?
        };
        let batch = make_batch(&sample, &[0], run.session().device());
        let before = read_weight(run.session());
        run.session_mut().step(&batch);
        let after = read_weight(run.session());
        let result = crate::chain_rule::read_pair(before, after, index).await;
        super::engine::publish_predictor(&engine, &state, &run);
        engine.borrow_mut().run = Some(run);
        let (b, a) = result.map_err(|e| e.to_string())?;
        return Ok(format!("Applied to the live model (its optimizer state carries on): w went from {b:.6} to {a:.6}."));
    }
    let (predictor, device) = {
        let e = engine.borrow();
        (e.predictor.clone(), e.device.clone())
    };
    let (Some(predictor), Some(device)) = (predictor, device) else { return Err("no model yet".into()) };
    let mut copy = TrainingSession::with_model(TrainingConfig::new().with_learning_rate(v.learning_rate), predictor.model.clone(), &device);
    let batch = make_batch(&sample, &[0], copy.device());
    let before = read_weight(&copy);
    copy.step(&batch);
    let (b, a) = crate::chain_rule::read_pair(before, read_weight(&copy), index).await.map_err(|e| e.to_string())?;
    let g = v.checks.first().map(|c| c.closed_form).unwrap_or(0.0);
    let by_hand = adam_step(b, g, 0.0, 0.0, 1, v.learning_rate, ADAM_BETA1 as f64, ADAM_BETA2 as f64, ADAM_EPSILON as f64).w;
    let ok = (by_hand - a).abs() < 1e-6;
    Ok(format!(
        "Applied to a copy with a fresh Adam: burn moved w from {b:.6} to {a:.6}; the step written out above gives {by_hand:.6} (|Δ| = {:.1e}) {}",
        (by_hand - a).abs(),
        if ok { "✔" } else { "✘" }
    ))
}

async fn compute(model: Mlp, pixels: Vec<u8>, label: u8, device: burn::tensor::Device, learning_rate: f64) -> Result<BackpropView, String> {
    let layers = model.layers.len();
    if layers < 2 {
        return Err("the chain-rule view needs at least one hidden layer".into());
    }
    let chain = chain_rule(&model, &pixels, label, &device).await.map_err(|e| e.to_string())?;
    let ad_device = device.clone().autodiff();
    let tracked = model.with_autodiff();
    let (ad_w, ad_b, ad_w_prev) = autodiff_gradients(&tracked, &pixels, label, &ad_device).await.map_err(|e| e.to_string())?;
    let (_, n) = chain.sizes;
    // The hidden unit with the largest activation: its row of ∂L/∂W_L is the most telling.
    let unit = chain.hidden_out_in.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i).unwrap_or(0);
    let k = label as usize;
    let w_index = unit * 10 + k;
    // The largest entry of ∂L/∂W_{L−1}, so the finite difference is well above rounding noise.
    let prev_index = chain.grad_w_prev.iter().enumerate().max_by(|a, b| a.1.abs().total_cmp(&b.1.abs())).map(|(i, _)| i).unwrap_or(0);
    let fd_out = finite_difference(&model, layers - 1, unit, k, &pixels, label, 1e-2, &device).await.map_err(|e| e.to_string())?;
    let fd_prev = finite_difference(&model, layers - 2, prev_index / n, prev_index % n, &pixels, label, 1e-3, &device).await.map_err(|e| e.to_string())?;
    let weight_data = model.layers[layers - 1].weight.val().into_data_async().await.map_err(|e| e.to_string())?;
    let weight = weight_data.iter::<f32>().nth(w_index).unwrap_or(f32::NAN) as f64;
    let last = layers;
    let checks = vec![
        GradCheck {
            name: format!("∂L/∂W{last}[{unit}, {k}]"),
            closed_form: chain.grad_w_out[w_index] as f64,
            autodiff: ad_w.get(w_index).copied().unwrap_or(f32::NAN) as f64,
            finite_difference: Some(fd_out),
        },
        GradCheck {
            name: format!("∂L/∂b{last}[{k}]"),
            closed_form: chain.grad_b_out[k] as f64,
            autodiff: ad_b.get(k).copied().unwrap_or(f32::NAN) as f64,
            finite_difference: None,
        },
        GradCheck {
            name: format!("∂L/∂W{}[{}, {}]", last - 1, prev_index / n, prev_index % n),
            closed_form: chain.grad_w_prev[prev_index] as f64,
            autodiff: ad_w_prev.get(prev_index).copied().unwrap_or(f32::NAN) as f64,
            finite_difference: Some(fd_prev),
        },
    ];
    let layer_shapes = model.layers.iter().enumerate().map(|(i, l)| {
        let [a, b] = l.weight.dims();
        (Mlp::layer_name(i), a, b)
    }).collect();
    let layer_stats = layer_stats(&model, &pixels, &device).await?;
    Ok(BackpropView { chain, checks, layer_shapes, unit, weight, learning_rate, pixels, layer_stats })
}

fn math(latex: &str) -> impl IntoView + use<> {
    let html = latex_to_mathml(latex, true).unwrap_or_else(|e| e);
    view! { <div class="equation" inner_html=html></div> }
}

fn vector_latex(values: &[f32], max: usize) -> String {
    let shown: Vec<String> = values.iter().take(max).map(|&v| num(v as f64)).collect();
    let more = if values.len() > max { format!(", \\ldots\\; ({} \\text{{ values}})", values.len()) } else { String::new() };
    format!("[{}{}]", shown.join(",\\; "), more)
}

fn norm(values: &[f32]) -> f64 {
    values.iter().map(|&v| (v as f64).powi(2)).sum::<f64>().sqrt()
}

fn phase_body(phase: usize, v: &BackpropView) -> AnyView {
    let c = &v.chain;
    #[allow(non_snake_case)]
    let L = v.layer_shapes.len();
    let y = c.label as usize;
    match phase {
        1 => view! {
            <p>"The network's parameters, as they are now (the seed fixes where they start):"</p>
            <table class="shapes">
                <thead><tr><th>"layer"</th><th>"W shape (burn: in × out)"</th><th>"first weights"</th><th>"‖W‖"</th><th>"‖b‖"</th></tr></thead>
                <tbody>{v.layer_shapes.iter().zip(&v.layer_stats).map(|((name, a, b), st)| view! {
                    <tr><td>{name.clone()}</td><td>{format!("{a} × {b}")}</td>
                        <td>{st.weights.iter().take(3).map(|w| format!("{w:.4}")).collect::<Vec<_>>().join(", ")}</td>
                        <td>{format!("{:.3}", norm(&st.weights))}</td><td>{format!("{:.3}", norm(&st.bias))}</td></tr>
                }).collect_view()}</tbody>
            </table>
            {math("W \\sim \\mathcal{U}\\!\\left(-\\tfrac{1}{\\sqrt{n_{in}}},\\; \\tfrac{1}{\\sqrt{n_{in}}}\\right)")}
        }.into_any(),
        2 => view! {
            <p>"Each layer computes " <span inner_html=latex_to_mathml("z = hW + b,\\; h' = \\mathrm{ReLU}(z)", false).unwrap_or_default()></span> ". For this sample:"</p>
            <table class="shapes">
                <thead><tr><th>"layer"</th><th>"z: first values"</th><th>"‖z‖"</th><th>"h = f(z): first values"</th><th>"‖h‖"</th></tr></thead>
                <tbody>{v.layer_shapes.iter().zip(&v.layer_stats).map(|((name, _, _), st)| view! {
                    <tr><td>{name.clone()}</td>
                        <td>{st.z.iter().take(4).map(|x| format!("{x:.3}")).collect::<Vec<_>>().join(", ")}</td><td>{format!("{:.3}", norm(&st.z))}</td>
                        <td>{st.h.iter().take(4).map(|x| format!("{x:.3}")).collect::<Vec<_>>().join(", ")}</td><td>{format!("{:.3}", norm(&st.h))}</td></tr>
                }).collect_view()}</tbody>
            </table>
            {math(&format!("h_{{{}}} = {}\\quad \\lVert h_{{{}}}\\rVert = {}", L - 1, vector_latex(&c.hidden_out_in, 6), L - 1, num(norm(&c.hidden_out_in))))}
            {math(&format!("z_{L} = h_{{{}}}W_{L} + b_{L} = {}", L - 1, vector_latex(&c.logits, 10)))}
        }.into_any(),
        3 => view! {
            {math("\\text{MSE} = \\tfrac{1}{n}\\sum_i (y_i - \\hat{y}_i)^2 \\qquad \\text{cross-entropy}\\; L = -\\sum_i y_i \\log p_i = -\\log p_y")}
            {math(&format!("p = \\mathrm{{softmax}}(z_{L}) = {}", vector_latex(&c.probabilities, 10)))}
            {math(&format!("L = -\\log p_{{{y}}} = -\\log {} = {}", num(c.probabilities[y] as f64), num(c.loss as f64)))}
        }.into_any(),
        4 => {
            let unit = v.unit;
            let row: Vec<f32> = c.grad_w_out[unit * 10..unit * 10 + 10].to_vec();
            let zeroed = c.activation_grad_prev.iter().filter(|&&m| m == 0.0).count();
            let sample: Vec<String> = (0..6.min(c.delta_prev.len())).map(|i| format!("{}\\cdot{}={}", num(c.upstream_prev[i] as f64), num(c.activation_grad_prev[i] as f64), num(c.delta_prev[i] as f64))).collect();
            let delta_values = c.delta_out.iter().map(|v| format!("{v:.6}")).collect::<Vec<_>>().join(",");
            view! {
                {math("\\frac{\\partial L}{\\partial W} = \\frac{\\partial L}{\\partial \\hat{y}}\\cdot\\frac{\\partial \\hat{y}}{\\partial W}")}
                <div data-testid="mlp-delta4" data-values=delta_values>
                    {math(&format!("\\delta_{L} = \\frac{{\\partial L}}{{\\partial z_{L}}} = p - \\mathrm{{onehot}}({y}) = {}", vector_latex(&c.delta_out, 10)))}
                </div>
                {math(&format!("\\frac{{\\partial L}}{{\\partial W_{L}}} = h_{{{}}}^{{\\top}}\\delta_{L}\\; \\text{{— row of unit }}{unit}:\\; {}", L - 1, vector_latex(&row, 10)))}
                {math(&format!("\\frac{{\\partial L}}{{\\partial b_{L}}} = \\delta_{L}"))}
                {math(&format!("\\delta_{{{0}}} = (\\delta_{L} W_{L}^{{\\top}}) \\odot \\mathbb{{1}}[z_{{{0}}} > 0]:\\; {1},\\; \\ldots", L - 1, sample.join(",\\; ")))}
                <p class="hint">{format!("The ReLU mask zeroes {zeroed} of {} entries of δ{}: units that were off in the forward pass pass no gradient back.", c.delta_prev.len(), L - 1)}</p>
                {math(&format!("\\frac{{\\partial L}}{{\\partial W_{{{0}}}}} = h_{{{1}}}^{{\\top}}\\delta_{{{0}}}", L - 1, L - 2))}
                <ul class="checks">
                    {v.checks.iter().map(|check| {
                        let ok = check.ok();
                        let fd = check.finite_difference.map(|fd| format!(" · finite difference {fd:.6} (|Δ| = {:.1e})", (fd - check.closed_form).abs())).unwrap_or_default();
                        view! {
                            <li data-testid="mlp-grad-check" data-ok=ok.to_string() class:ok=ok class:bad=!ok>
                                <span class="tick">{if ok { "✔" } else { "✘" }}</span>
                                {format!("{} = {:.6} (closed form) · autodiff {:.6} (|Δ| = {:.1e}){fd}",
                                    check.name, check.closed_form, check.autodiff, (check.autodiff - check.closed_form).abs())}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }
        5 => {
            let g = v.checks.first().map(|c| c.closed_form).unwrap_or(0.0);
            let alpha = v.learning_rate;
            let sgd = sgd_step(v.weight, g, alpha);
            let adam = adam_step(v.weight, g, 0.0, 0.0, 1, alpha, ADAM_BETA1 as f64, ADAM_BETA2 as f64, ADAM_EPSILON as f64);
            let name = format!("w = W{L}[{}, {}]", v.unit, y);
            view! {
                <p>{format!("For the weight {name}, with g = ∂L/∂w from step 4 and α = {alpha}:")}</p>
                {math(&format!("\\text{{SGD: }} w \\leftarrow w - \\alpha g = {} - {}\\cdot {} = {}", num(v.weight), num(alpha), num(g), num(sgd)))}
                {math(&format!("\\text{{Adam }}(t=1,\\; m_0=v_0=0):\\; m \\leftarrow \\beta_1 m + (1-\\beta_1) g = {}", num(adam.m)))}
                {math(&format!("v \\leftarrow \\beta_2 v + (1-\\beta_2) g^2 = {}", sci(adam.v)))}
                {math(&format!("\\hat{{m}} = \\frac{{m}}{{1-\\beta_1^t}} = {},\\quad \\hat{{v}} = \\frac{{v}}{{1-\\beta_2^t}} = {:.6}", num(adam.m_hat), adam.v_hat))}
                {math(&format!("w \\leftarrow w - \\alpha\\,\\frac{{\\hat{{m}}}}{{\\sqrt{{\\hat{{v}}}} + \\varepsilon}} = {}", num(adam.w)))}
                <p class="hint">"On its first step Adam moves every weight by about α, whatever the gradient's size; later steps use the running averages m and v."</p>
            }.into_any()
        }
        _ => view! {
            <p>"Training repeats steps 2–5 for every batch: forward, loss, backward, update. One pass over the training set is an epoch; the charts above show the loss falling as this loop runs."</p>
        }.into_any(),
    }
}

#[component]
pub fn BackpropPanel(engine: StoredValue<EngineHandle, LocalStorage>, state: PlaygroundState) -> impl IntoView {
    let phase = RwSignal::new(1usize);
    let sample_index = RwSignal::new(String::from("0"));
    let use_drawing = RwSignal::new(false);
    let view_data: RwSignal<Option<Result<BackpropView, String>>> = RwSignal::new(None);
    let computing = RwSignal::new(false);
    let applied: RwSignal<Option<String>> = RwSignal::new(None);
    let apply = move |live: bool| {
        let Some(Ok(v)) = view_data.get_untracked() else { return };
        applied.set(Some("applying…".into()));
        spawn_local(async move {
            let message = apply_update(engine.get_value(), state, v, live).await.unwrap_or_else(|e| e);
            applied.set(Some(message));
        });
    };

    let recompute = move || {
        let handle = engine.get_value();
        let (predictor, device, test) = {
            let e = handle.borrow();
            (e.predictor.clone(), e.device.clone(), e.test.clone())
        };
        let (Some(predictor), Some(device), Some(test)) = (predictor, device, test) else {
            view_data.set(Some(Err("Waiting for the data and a model…".into())));
            return;
        };
        let (pixels, label) = if use_drawing.get_untracked() {
            match state.drawing.get_untracked() {
                Some((pixels, label)) => (pixels, label),
                None => {
                    view_data.set(Some(Err("Draw a digit first (it is labelled with the network's prediction).".into())));
                    return;
                }
            }
        } else {
            let i: usize = sample_index.get_untracked().trim().parse().unwrap_or(0).min(test.len().saturating_sub(1));
            (test.image(i).to_vec(), test.label(i))
        };
        let lr = 1e-3;
        computing.set(true);
        spawn_local(async move {
            let result = compute(predictor.model, pixels, label, device, lr).await;
            view_data.set(Some(result));
            computing.set(false);
        });
    };
    // Nothing is computed until the panel is used: on a software GPU adapter these kernels compete with
    // the page for the CPU. Once in use, it follows the model, but not while training runs.
    let in_use = RwSignal::new(false);
    let activate = move || {
        if !in_use.get_untracked() {
            in_use.set(true);
        }
    };
    Effect::new(move |_| {
        state.model_version.track();
        let idle = !matches!(state.phase.get(), super::state::Phase::Training | super::state::Phase::Evaluating);
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
        <section class="panel backprop" aria-labelledby="backprop-title" tabindex="0"
            on:keydown=move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
                "ArrowRight" => { ev.prevent_default(); next() }
                "ArrowLeft" => { ev.prevent_default(); prev() }
                _ => {}
            }>
            <h2 id="backprop-title">"Backpropagation, step by step"</h2>
            <div class="sample-choice">
                <label>"Test digit #" <input type="number" min="0" data-testid="backprop-sample" prop:value=move || sample_index.get()
                    on:change=move |ev| { sample_index.set(event_target_value(&ev)); use_drawing.set(false); if in_use.get_untracked() { recompute() } else { activate() } }/></label>
                <button data-testid="backprop-use-drawing" on:click=move |_| { use_drawing.set(true); if in_use.get_untracked() { recompute() } else { activate() } }>"Use my drawing"</button>
                <button data-testid="backprop-compute" on:click=move |_| if in_use.get_untracked() { recompute() } else { activate() }>"Compute with the live weights"</button>
                {move || computing.get().then(|| view! { <span class="hint">"computing…"</span> })}
            </div>
            <ol class="phases" role="list">
                {PHASES.iter().enumerate().map(|(i, name)| {
                    let n = i + 1;
                    view! {
                        <li data-testid=format!("phase-{n}") aria-current=move || (phase.get() == n).then_some("step") class:current=move || phase.get() == n
                            on:click=move |_| { activate(); phase.set(n) }>
                            <span class="phase-number">{n}</span>{*name}
                        </li>
                    }
                }).collect_view()}
            </ol>
            <div class="network-diagram" aria-hidden="true">
                {move || {
                    let shapes = view_data.with(|v| v.as_ref().and_then(|r| r.as_ref().ok()).map(|v| v.layer_shapes.clone())).unwrap_or_default();
                    let p = phase.get();
                    let mut boxes = vec![("input".to_string(), 784usize)];
                    boxes.extend(shapes.iter().map(|(name, _, out)| (name.clone(), *out)));
                    boxes.into_iter().enumerate().map(|(i, (name, size))| {
                        let active = match p { 2 | 3 => true, 4 => i + 2 >= shapes.len() + 1, 5 => i > 0, _ => i > 0 };
                        view! { <div class="layer-box" class:active=active><strong>{name}</strong><span>{size}</span></div> }
                    }).collect_view()
                }}
            </div>
            <div class="phase-body">
                {move || match view_data.get() {
                    None => view! { <p class="placeholder">"Choose a phase or press “Compute with the live weights” to run one training step of the live network on this sample."</p> }.into_any(),
                    Some(Err(e)) => view! { <p class="placeholder">{e}</p> }.into_any(),
                    Some(Ok(v)) => phase_body(phase.get(), &v),
                }}
                {move || (phase.get() == 5 && matches!(view_data.get(), Some(Ok(_)))).then(|| view! {
                    <div class="buttons">
                        <button data-testid="apply-copy" on:click=move |_| apply(false)>"Apply one Adam step to a copy"</button>
                        <button data-testid="apply-live" on:click=move |_| apply(true)>"Apply it to the live model"</button>
                    </div>
                    <p class="hint" data-testid="apply-result">{move || applied.get()}</p>
                })}
            </div>
            <div class="buttons">
                <button data-testid="phase-prev" on:click=move |_| prev()>"← Previous"</button>
                <button class="primary" data-testid="phase-next" on:click=move |_| next()>"Next →"</button>
            </div>
        </section>
    }
}
