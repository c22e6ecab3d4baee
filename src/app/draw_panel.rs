//! Draw a digit and watch the network read it: a canvas for mouse, touch and pen (pointer events),
//! the 28×28 image the network actually sees, ten probability bars, and "teach it back" — label a
//! wrong prediction, collect "my digits" (kept in browser storage), and fine-tune on them. The
//! predictions and the fine-tuning happen in the trainer worker; this panel sends the 28×28 input and
//! shows what comes back.

use super::classes::{class_name, use_dataset};
use crate::data::Dataset;
use std::cell::Cell;
use std::rc::Rc;

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::CanvasRenderingContext2d;

use super::browser::now_ms;
use super::client::Trainer;
use super::digit_image::DigitImage;
use super::locale::use_locale;
use super::state::{Phase, PlaygroundState};
use crate::data::mnist::{IMAGE_PIXELS, NUM_CLASSES};
use crate::inference::top_prediction;
use crate::preprocess::{DrawingInput, preprocess_drawing};
use crate::settings::PlaygroundSettings;
use crate::text;
use crate::protocol::{Command, LabelledDigit};

/// CSS size of the drawing canvas.
const CANVAS_CSS: f64 = 280.0;
/// Stroke width in CSS pixels: about MNIST's stroke relative to its 20 px digit box.
const STROKE_WIDTH: f64 = 22.0;
const STORAGE_KEY: &str = "backprop-playground.my-digits.v1";
/// "My digits" kept at most (each is 784 bytes in storage).
const MAX_MY_DIGITS: usize = 200;
/// Prediction round trips kept for `data-latencies`.
const MAX_LATENCIES: usize = 200;

type Stroke = Vec<(f64, f64)>;

/// A drawing the user labelled.
#[derive(Debug, Clone, PartialEq)]
pub struct MyDigit {
    pub pixels: Vec<u8>,
    pub label: u8,
}

fn context(canvas: &web_sys::HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

fn device_pixel_ratio() -> f64 {
    web_sys::window().map(|w| w.device_pixel_ratio()).unwrap_or(1.0).clamp(1.0, 4.0)
}

/// Redraws every stroke; the canvas is sized in device pixels so lines stay crisp on high-DPI screens.
fn paint(canvas: &web_sys::HtmlCanvasElement, strokes: &[Stroke]) {
    let ratio = device_pixel_ratio();
    let side = (CANVAS_CSS * ratio).round() as u32;
    if canvas.width() != side {
        canvas.set_width(side);
        canvas.set_height(side);
    }
    let Some(ctx) = context(canvas) else { return };
    let _ = ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, CANVAS_CSS, CANVAS_CSS);
    ctx.set_line_width(STROKE_WIDTH);
    ctx.set_line_cap("round");
    ctx.set_line_join("round");
    ctx.set_stroke_style_str("#111");
    ctx.set_fill_style_str("#111");
    for stroke in strokes {
        let Some(&(x0, y0)) = stroke.first() else { continue };
        ctx.begin_path();
        if stroke.len() == 1 {
            let _ = ctx.arc(x0, y0, STROKE_WIDTH / 2.0, 0.0, std::f64::consts::TAU);
            ctx.fill();
            continue;
        }
        ctx.move_to(x0, y0);
        for &(x, y) in &stroke[1..] {
            ctx.line_to(x, y);
        }
        ctx.stroke();
    }
}

/// The canvas's ink (its alpha channel) at device resolution.
fn read_ink(canvas: &web_sys::HtmlCanvasElement) -> Option<(Vec<u8>, usize, usize)> {
    let ctx = context(canvas)?;
    let (w, h) = (canvas.width() as usize, canvas.height() as usize);
    let data = ctx.get_image_data(0.0, 0.0, w as f64, h as f64).ok()?.data();
    Some((data.0.chunks_exact(4).map(|px| px[3]).collect(), w, h))
}

fn load_my_digits() -> (Vec<MyDigit>, bool) {
    let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else {
        return (Vec::new(), false);
    };
    let text = storage.get_item(STORAGE_KEY).ok().flatten().unwrap_or_default();
    let digits = text
        .lines()
        .filter_map(|line| {
            let (label, hex) = line.split_once(':')?;
            let label: u8 = label.parse().ok().filter(|l| (*l as usize) < NUM_CLASSES)?;
            let pixels: Vec<u8> = (0..hex.len() / 2).filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()).collect();
            (pixels.len() == IMAGE_PIXELS).then_some(MyDigit { pixels, label })
        })
        .collect();
    (digits, true)
}

/// Saves "my digits"; false when the browser refuses (private mode, storage full).
fn save_my_digits(digits: &[MyDigit]) -> bool {
    let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else {
        return false;
    };
    let text: String = digits
        .iter()
        .map(|d| format!("{}:{}\n", d.label, d.pixels.iter().map(|p| format!("{p:02x}")).collect::<String>()))
        .collect();
    storage.set_item(STORAGE_KEY, &text).is_ok()
}

#[component]
fn PredictionBars(probabilities: RwSignal<Option<Vec<f32>>>, predicting: RwSignal<bool>) -> impl IntoView {
    let locale = use_locale();
    let dataset = use_dataset();
    view! {
        <div class="bars" class:named=dataset != Dataset::Mnist data-testid="prediction-bars" role="list" aria-label=move || locale.t("bars-label") data-busy=move || predicting.get().to_string()>
            {(0..NUM_CLASSES).map(|digit| {
                let p = move || probabilities.with(|p| p.as_ref().and_then(|p| p.get(digit).copied()).unwrap_or(0.0));
                let top = move || probabilities.with(|p| p.as_ref().and_then(|p| top_prediction(p)).map(|(d, _)| d as usize) == Some(digit));
                view! {
                    <div class="bar" class:top=top role="listitem" data-digit=digit data-probability=move || format!("{:.4}", p())>
                        <span class="bar-label">{move || class_name(locale, dataset, digit)}</span>
                        <span class="bar-track"><span class="bar-fill" style:width=move || format!("{:.1}%", p() * 100.0)></span></span>
                        <span class="bar-value">{move || format!("{:.1}%", p() * 100.0)}</span>
                    </div>
                }
            }).collect_view()}
        </div>
    }
}

/// The prediction asked for last: its id, when it was sent, and the input it was for.
#[derive(Clone)]
struct PendingPrediction {
    id: u64,
    sent_ms: f64,
    pixels: Vec<u8>,
}

#[component]
pub fn DrawPanel(trainer: Trainer, state: PlaygroundState, settings: Signal<Option<PlaygroundSettings>>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let dataset = use_dataset();
    let strokes: RwSignal<Vec<Stroke>> = RwSignal::new(Vec::new());
    let drawing = StoredValue::new_local(Rc::new(Cell::new(false)));
    let frame_pending = StoredValue::new_local(Rc::new(Cell::new(false)));
    let preview: RwSignal<Option<Vec<u8>>> = RwSignal::new(None);
    let probabilities: RwSignal<Option<Vec<f32>>> = RwSignal::new(None);
    let latency: RwSignal<Option<f64>> = RwSignal::new(None);
    // The last round trips (ms), for the benchmark and tests: `data-latencies` on the latency line.
    let latencies: RwSignal<Vec<f64>> = RwSignal::new(Vec::new());
    let answered = RwSignal::new(0usize);
    let locale = use_locale();
    let message = state.draw_message;
    let (stored, storage_ok) = load_my_digits();
    let my_digits: RwSignal<Vec<MyDigit>> = RwSignal::new(stored);
    let storage_ok = RwSignal::new(storage_ok);
    let fine_tuning = RwSignal::new(false);
    let pending: StoredValue<Option<PendingPrediction>> = StoredValue::new(None);
    let next_id = StoredValue::new(0u64);
    // One request at a time: strokes drawn meanwhile are sent together once the answer is in, so a
    // slow device (seconds per prediction on a software GPU) is never flooded with stale drawings.
    let redraw_waiting = StoredValue::new(false);
    // True from a change of the drawing until the answer for the drawing as it is now has arrived.
    let predicting = RwSignal::new(false);

    // Reads the canvas, preprocesses and asks the trainer; at most once per animation frame.
    let predict_now = move || {
        let Some((ink, w, h)) = canvas.get_untracked().and_then(|c| read_ink(&c)) else {
            pending.set_value(None);
            predicting.set(false);
            return;
        };
        let DrawingInput::Digit(input) = preprocess_drawing(&ink, w, h) else {
            preview.set(None);
            state.drawing.set(None);
            // The network view forgets the drawing, not a test image it shows instead.
            if state.inspected_test.get_untracked().is_none() {
                state.inspected.set(None);
            }
            probabilities.set(None);
            latency.set(None);
            pending.set_value(None);
            predicting.set(false);
            return;
        };
        preview.set(Some(input.pixels.clone()));
        predicting.set(true);
        if pending.with_value(|p| p.is_some()) {
            redraw_waiting.set_value(true);
            return;
        }
        let id = next_id.get_value() + 1;
        next_id.set_value(id);
        pending.set_value(Some(PendingPrediction { id, sent_ms: now_ms(), pixels: input.pixels.clone() }));
        trainer.send(Command::Predict { id, pixels: input.pixels });
    };
    // The answer to the request in flight; then the drawing as it is now, if it changed meanwhile.
    Effect::new(move |_| {
        let Some((id, activations)) = state.prediction.get() else { return };
        let Some(asked) = pending.get_value().filter(|p| p.id == id) else { return };
        pending.set_value(None);
        if redraw_waiting.get_value() {
            redraw_waiting.set_value(false);
            request_animation_frame(predict_now);
        } else {
            predicting.set(false);
        }
        if activations.probabilities.is_empty() {
            return;
        }
        let probs = activations.probabilities.clone();
        let round_trip = now_ms() - asked.sent_ms;
        latency.set(Some(round_trip));
        answered.update(|n| *n += 1);
        latencies.update(|l| {
            l.push(round_trip);
            if l.len() > MAX_LATENCIES {
                l.remove(0);
            }
        });
        if let Some((digit, _)) = top_prediction(&probs) {
            state.drawing.set(Some((asked.pixels.clone(), digit)));
        }
        if asked.pixels.len() == IMAGE_PIXELS {
            state.inspected.set(Some((asked.pixels, activations)));
            state.inspected_test.set(None);
        }
        probabilities.set(Some(probs));
    });
    let schedule_prediction = move || {
        // Busy from the change itself, not from the frame that reads it: until then the bars show
        // the answer for the drawing as it was.
        predicting.set(true);
        let pending = frame_pending.get_value();
        if pending.replace(true) {
            return;
        }
        request_animation_frame(move || {
            pending.set(false);
            predict_now();
        });
    };
    Effect::new(move |_| {
        let s = strokes.get();
        if let Some(c) = canvas.get() {
            paint(&c, &s);
            schedule_prediction();
        }
    });
    // The model changed (training, reset, fine-tuning, pretrained): predict again.
    Effect::new(move |_| {
        state.model_version.track();
        if !strokes.with_untracked(|s| s.is_empty()) {
            schedule_prediction();
        }
    });
    // A crashed worker was replaced: what was asked of it will not be answered.
    Effect::new(move |previous: Option<u32>| {
        let restarts = state.worker_restarts.get();
        if previous.is_some_and(|p| p != restarts) {
            pending.set_value(None);
            redraw_waiting.set_value(false);
            fine_tuning.set(false);
            schedule_prediction();
        }
        restarts
    });
    // The trainer answers a fine-tune with a message.
    Effect::new(move |_| {
        message.track();
        fine_tuning.set(false);
    });
    Effect::new(move |_| {
        let digits = my_digits.get();
        storage_ok.set(save_my_digits(&digits));
    });

    // Strokes are kept in the canvas's own 280-unit space, whatever size CSS gives it (a phone's
    // width, projector mode), so the network sees the same digit at every size.
    let point = move |ev: &web_sys::PointerEvent| {
        let shown = canvas.get_untracked().map(|c| c.client_width() as f64).filter(|w| *w > 0.0).unwrap_or(CANVAS_CSS);
        let scale = CANVAS_CSS / shown;
        (ev.offset_x() as f64 * scale, ev.offset_y() as f64 * scale)
    };
    let on_down = move |ev: web_sys::PointerEvent| {
        ev.prevent_default();
        if let Some(target) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
            let _ = target.set_pointer_capture(ev.pointer_id());
        }
        drawing.get_value().set(true);
        let p = point(&ev);
        strokes.update(|s| s.push(vec![p]));
    };
    let on_move = move |ev: web_sys::PointerEvent| {
        if drawing.get_value().get() {
            let p = point(&ev);
            strokes.update(|s| {
                if let Some(last) = s.last_mut() {
                    last.push(p);
                }
            });
        }
    };
    let on_up = move |_ev: web_sys::PointerEvent| drawing.get_value().set(false);

    let predicted = move || probabilities.with(|p| p.as_ref().and_then(|p| top_prediction(p)));
    let add_label = move |label: u8| {
        if let Some(pixels) = preview.get_untracked() {
            my_digits.update(|d| {
                d.push(MyDigit { pixels, label });
                if d.len() > MAX_MY_DIGITS {
                    d.remove(0);
                }
            });
            message.set(Some(text!("added-to-my-digits", label = label)));
        } else {
            message.set(Some(text!("draw-first")));
        }
    };
    let on_fine_tune = move |_| {
        let digits = my_digits.get_untracked();
        if digits.is_empty() {
            message.set(Some(text!("label-first")));
            return;
        }
        let Some(settings) = settings.get_untracked() else { return };
        let digits = digits.into_iter().map(|d| LabelledDigit { pixels: d.pixels, label: d.label }).collect();
        trainer.send(Command::FineTune { digits, settings: settings.to_query() });
        fine_tuning.set(true);
    };
    let use_pretrained_click = move |_| {
        let Some(settings) = settings.get_untracked() else { return };
        trainer.send(Command::UsePretrained { settings: settings.to_query() });
    };
    let training = move || matches!(state.phase.get(), Phase::Training | Phase::Evaluating);

    view! {
        <section class="panel draw" aria-labelledby="draw-title">
            <h2 id="draw-title">{move || locale.t("draw-title")}</h2>
            <p class="hint">{move || locale.t("draw-hint")}</p>
            <div class="draw-row">
                <div class="draw-column">
                    <canvas node_ref=canvas class="draw-canvas" data-testid="draw-canvas" role="img" aria-label=move || locale.t("canvas-label") aria-describedby="draw-title"
                        on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_up></canvas>
                    <div class="buttons">
                        <button data-testid="clear-canvas" aria-keyshortcuts="C" on:click=move |_| strokes.set(Vec::new())>{move || locale.t("clear")}</button>
                        <button data-testid="undo-stroke" on:click=move |_| strokes.update(|s| { s.pop(); })>{move || locale.t("undo-stroke")}</button>
                    </div>
                </div>
                <div class="draw-column">
                    <p class="small-title">{move || locale.t("network-sees")}</p>
                    <div data-testid="model-input-preview" class="preview" data-empty=move || preview.with(|p| p.is_none()).to_string()>
                        {move || match preview.get() {
                            Some(px) => view! { <DigitImage pixels=Signal::stored(px) label=locale.t("input-label")/> }.into_any(),
                            None => view! { <div class="preview-empty">{move || locale.t("draw-a-digit")}</div> }.into_any(),
                        }}
                    </div>
                </div>
                <div class="draw-column prediction">
                    <p class="small-title">{move || locale.t("prediction")}</p>
                    <div class="predicted" class:named=move || dataset != Dataset::Mnist data-testid="predicted-digit">{move || predicted().map(|(d, _)| class_name(locale, dataset, d as usize)).unwrap_or("–".into())}</div>
                    <p class="confidence">{move || predicted().map(|(_, p)| locale.text(&text!("confidence", percent = format!("{:.1}", p * 100.0)))).unwrap_or_else(|| locale.t("draw-a-digit"))}</p>
                    <p class="latency" data-testid="prediction-latency" title=move || locale.t("latency-title")
                        data-answered=move || answered.get()
                        data-latencies=move || latencies.with(|l| l.iter().map(|v| format!("{v:.2}")).collect::<Vec<_>>().join(" "))>{move || latency.get().map(|ms| format!("{ms:.1} ms")).unwrap_or_default()}</p>
                    <PredictionBars probabilities predicting/>
                </div>
            </div>
            <p class="model-note">{move || locale.t("predicting-with")} " " <strong data-testid="predictor-description">{move || locale.text(&state.predictor_description.get())}</strong>
                " " <button data-testid="use-pretrained" disabled=training on:click=use_pretrained_click>{move || locale.t("use-pretrained")}</button></p>
            {(dataset != Dataset::Mnist).then(|| view! { <p class="hint" data-testid="dataset-drawing-note">{move || locale.t("drawing-fashion-note")}</p> })}
            // Teach-back labels drawings as digits: MNIST only.
            <div class="teach" hidden=dataset != Dataset::Mnist>
                <p class="small-title">{move || locale.t("wrong-click-digit")}</p>
                <div class="buttons labels">
                    {(0..NUM_CLASSES as u8).map(|d| view! {
                        <button data-testid=format!("label-digit-{d}") aria-label=move || locale.text(&text!("label-as", digit = d)) on:click=move |_| add_label(d)>{d}</button>
                    }).collect_view()}
                </div>
                <p class="small-title">{move || locale.text(&text!("my-digits-count", count = my_digits.with(|d| d.len())))}</p>
                <div class="gallery" data-testid="my-digits">
                    {move || my_digits.get().into_iter().map(|d| {
                        let label = locale.text(&text!("my-digit-label", digit = d.label));
                        view! { <figure class="mistake"><DigitImage pixels=Signal::stored(d.pixels) label=label.clone()/><figcaption>{d.label}</figcaption></figure> }
                    }).collect_view()}
                </div>
                <div class="buttons">
                    <button class="primary" data-testid="fine-tune" disabled=move || training() || fine_tuning.get() on:click=on_fine_tune>
                        {move || if fine_tuning.get() { locale.t("fine-tuning") } else { locale.t("fine-tune") }}
                    </button>
                    <button data-testid="clear-my-digits" on:click=move |_| my_digits.set(Vec::new())>{move || locale.t("clear-my-digits")}</button>
                </div>
                {move || (!storage_ok.get()).then(|| view! { <p class="hint">{move || locale.t("storage-unavailable")}</p> })}
            </div>
            {move || message.get().map(|m| view! { <p class="draw-message" role="status">{move || locale.text(&m)}</p> })}
        </section>
    }
}
