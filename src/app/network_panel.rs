//! "Inside the network": the live network as a diagram, the first layer's weights as 28×28 tiles
//! (updated while training runs), and every layer's output for the current drawing.
//!
//! The numbers come from the trainer (`Event::WeightTiles`, and the activations with each
//! prediction); this component only draws them. It asks for tiles while it is open.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::classes::{class_name, use_dataset};
use super::client::Trainer;
use super::digit_image::DigitImage;
use super::heatmap::{self, cell_at, paint_cells, paint_tiles};
use super::locale::use_locale;
use super::state::{Phase, PlaygroundState};
use crate::data::mnist::{IMAGE_PIXELS, IMAGE_SIDE, NUM_CLASSES};
use crate::inspect::Activations;
use crate::settings::PlaygroundSettings;
use crate::text;
use crate::protocol::Command;

/// Canvas pixels per activation cell.
const CELL: usize = 12;

/// Whether any of `element` is inside the viewport.
fn on_screen(element: &web_sys::HtmlCanvasElement) -> bool {
    let height = web_sys::window().and_then(|w| w.inner_height().ok()).and_then(|h| h.as_f64()).unwrap_or(f64::MAX);
    let rect = element.get_bounding_client_rect();
    rect.bottom() > 0.0 && rect.top() < height && rect.height() > 0.0
}

fn number(v: f32) -> String {
    if v == 0.0 { "0".into() } else { format!("{v:.4}") }
}

/// Input, hidden layers and outputs as boxes, with the sizes of the current settings.
#[component]
fn NetworkDiagram(settings: Signal<Option<PlaygroundSettings>>) -> impl IntoView {
    let locale = use_locale();
    let sizes = move || settings.with(|s| s.as_ref().map(|s| s.training.model.hidden.clone()).unwrap_or_else(|| vec![512, 256, 128]));
    let activation = move || settings.with(|s| s.as_ref().map(|s| s.training.model.activation.name()).unwrap_or("ReLU"));
    view! {
        <ol class="network-diagram live" data-testid="network-diagram" aria-label=move || locale.t("network-diagram")>
            <li class="layer-box"><strong>{move || locale.t("input")}</strong><span>"28×28 = 784"</span></li>
            {move || sizes().into_iter().enumerate().map(|(i, n)| view! {
                <li class="layer-box" data-testid=format!("diagram-hidden-{i}")>
                    <strong>{move || locale.text(&text!("hidden-layer", number = i + 1))}</strong>
                    <span>{n} " · Linear + " {activation}</span>
                </li>
            }).collect_view()}
            <li class="layer-box"><strong>{move || locale.t("outputs")}</strong><span>"10 · softmax"</span></li>
        </ol>
    }
}

/// One layer's outputs as a grid of cells; hovering or focusing (arrow keys) a cell shows its value.
#[component]
fn ActivationStrip(layer: usize, values: Signal<Option<Vec<f32>>>, readout: RwSignal<Option<String>>) -> impl IntoView {
    let locale = use_locale();
    let canvas = NodeRef::<Canvas>::new();
    let focus: RwSignal<Option<usize>> = RwSignal::new(None);
    Effect::new(move |_| {
        let focus = focus.get();
        values.with(|v| {
            let (Some(c), Some(v)) = (canvas.get(), v.as_ref()) else { return };
            let scale = v.iter().filter(|x| x.is_finite()).fold(0.0f32, |m, x| m.max(x.abs()));
            paint_cells(&c, v, CELL, scale, focus);
        });
    });
    let describe = move |index: usize| {
        values.with(|v| v.as_ref().and_then(|v| v.get(index).copied())).map(|value| {
            locale.text(&text!("activation-value", layer = layer + 1, unit = index, value = number(value)))
        })
    };
    let show = move |index: Option<usize>| {
        focus.set(index);
        readout.set(index.and_then(describe));
    };
    let count = move || values.with(|v| v.as_ref().map_or(0, Vec::len));
    let on_move = move |ev: web_sys::PointerEvent| {
        let Some(c) = canvas.get_untracked() else { return };
        let shown = c.get_bounding_client_rect().width();
        show(cell_at(f64::from(ev.offset_x()), f64::from(ev.offset_y()), shown, c.width(), CELL, count()));
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let n = count();
        if n == 0 {
            return;
        }
        let cols = heatmap::columns(n);
        let at = focus.get_untracked().unwrap_or(0);
        let next = match ev.key().as_str() {
            "ArrowRight" => (at + 1).min(n - 1),
            "ArrowLeft" => at.saturating_sub(1),
            "ArrowDown" => (at + cols).min(n - 1),
            "ArrowUp" => at.saturating_sub(cols),
            "Home" => 0,
            "End" => n - 1,
            _ => return,
        };
        ev.prevent_default();
        ev.stop_propagation();
        show(Some(next));
    };
    view! {
        <figure class="strip">
            <figcaption>{move || locale.text(&text!("hidden-layer-size", number = layer + 1, size = count()))}</figcaption>
            <canvas node_ref=canvas class="cells" tabindex="0" data-testid=format!("activation-strip-{layer}")
                role="img" aria-label=move || locale.text(&text!("activation-strip-label", layer = layer + 1))
                on:pointermove=on_move on:pointerleave=move |_| show(None)
                on:focus=move |_| show(Some(focus.get_untracked().unwrap_or(0))) on:blur=move |_| show(None)
                on:keydown=on_key></canvas>
        </figure>
    }
}

#[component]
pub fn NetworkPanel(trainer: Trainer, state: PlaygroundState, settings: Signal<Option<PlaygroundSettings>>) -> impl IntoView {
    let locale = use_locale();
    let dataset = use_dataset();
    let open = RwSignal::new(true);
    let grid = NodeRef::<Canvas>::new();
    // Tiles only while the view is open and its grid on screen: each set is a read in the worker
    // and 1.6 MB for the page's main thread, worth paying only when someone can see it.
    let grid_visible = RwSignal::new(false);
    let check_visible = move || {
        let now = grid.get_untracked().is_some_and(|c| on_screen(&c));
        if now != grid_visible.get_untracked() {
            grid_visible.set(now);
        }
    };
    Effect::new(move |_| trainer.send(Command::WatchWeights { on: open.get() && grid_visible.get() }));
    // After mounting and after the view opens, once laid out.
    Effect::new(move |_| {
        open.track();
        grid.track();
        request_animation_frame(check_visible);
    });
    let on_resize = window_event_listener(leptos::ev::resize, move |_| check_visible());
    on_cleanup(move || on_resize.remove());
    // A worker that started again (after a crash, or after the data failed and was retried)
    // knows nothing of the view: ask again whenever the trainer becomes ready.
    Effect::new(move |_| {
        if matches!(state.phase.get(), Phase::Ready) && open.get_untracked() && grid_visible.get_untracked() {
            trainer.send(Command::WatchWeights { on: true });
        }
    });
    on_cleanup(move || trainer.send(Command::WatchWeights { on: false }));

    // Painted in the next animation frame, not in the task that received the tiles, so decoding and
    // painting 401k weights are two short tasks rather than one long one; and only while the grid
    // is on screen (scrolling to it paints the latest tiles), so a class watching the loss chart or
    // drawing does not pay for it.
    let paint_pending = StoredValue::new(false);
    let stale = StoredValue::new(false);
    let schedule_paint = move || {
        if paint_pending.get_value() {
            return;
        }
        paint_pending.set_value(true);
        request_animation_frame(move || {
            paint_pending.set_value(false);
            let Some(c) = grid.get_untracked() else { return };
            if !on_screen(&c) {
                stale.set_value(true);
                return;
            }
            stale.set_value(false);
            state.weight_tiles.with_untracked(|t| {
                if let Some(t) = t.as_ref() {
                    paint_tiles(&c, &t.weights, IMAGE_SIDE, t.scale);
                }
            });
        });
    };
    Effect::new(move |_| {
        state.weight_tiles.track();
        grid.track();
        schedule_paint();
    });
    let on_scroll = window_event_listener(leptos::ev::scroll, move |_| {
        check_visible();
        if stale.get_value() {
            schedule_paint();
        }
    });
    on_cleanup(move || on_scroll.remove());
    let selected: RwSignal<Option<usize>> = RwSignal::new(None);
    let on_grid_click = move |ev: web_sys::MouseEvent| {
        let Some(c) = grid.get_untracked() else { return };
        let units = state.weight_tiles.with_untracked(|t| t.as_ref().map_or(0, |t| t.units));
        let shown = c.get_bounding_client_rect().width();
        if let Some(unit) = cell_at(f64::from(ev.offset_x()), f64::from(ev.offset_y()), shown, c.width(), IMAGE_SIDE + 1, units) {
            selected.set(Some(unit));
        }
    };
    let unit_canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let unit = selected.get();
        state.weight_tiles.with(|t| {
            let (Some(c), Some(t), Some(unit)) = (unit_canvas.get(), t.as_ref(), unit) else { return };
            if let Some(tile) = t.tile(unit) {
                paint_tiles(&c, tile, IMAGE_SIDE, t.scale);
            }
        });
    });
    let unit_facts = move || {
        let unit = selected.get()?;
        let bias = state.weight_tiles.with(|t| t.as_ref().and_then(|t| t.biases.get(unit).copied()))?;
        let activation = state.inspected.with(|i| i.as_ref().and_then(|(_, a)| a.hidden.first().and_then(|h| h.get(unit).copied())));
        Some(match activation {
            Some(a) => locale.text(&text!("unit-facts", unit = unit, bias = number(bias), activation = number(a))),
            None => locale.text(&text!("unit-facts-no-drawing", unit = unit, bias = number(bias))),
        })
    };
    let scale = move || state.weight_tiles.with(|t| t.as_ref().map(|t| format!("{:.3}", t.scale)));

    // The strips show the drawing, or a test image chosen here (asked again when the model changes).
    let next_test_image = move || {
        let index = state.inspected_test.get_untracked().map_or(0, |(i, _)| i + 1);
        trainer.send(Command::InspectTest { index });
    };
    Effect::new(move |previous: Option<u64>| {
        let version = state.model_version.get();
        if previous.is_some_and(|p| p != version) {
            if let Some((index, _)) = state.inspected_test.get_untracked() {
                trainer.send(Command::InspectTest { index });
            }
        }
        version
    });
    let source = move || match state.inspected_test.get() {
        Some((index, label)) => locale.text(&text!("inspecting-test-image", index = index, class = class_name(locale, dataset, label as usize))),
        None => locale.t("inspecting-drawing"),
    };
    let readout: RwSignal<Option<String>> = RwSignal::new(None);
    // A memo, so the strips are rebuilt only when the number of layers changes (keeping focus).
    let layers = Memo::new(move |_| state.inspected.with(|i| i.as_ref().map_or(0, |(_, a)| a.hidden.len())));
    let input = Signal::derive(move || state.inspected.with(|i| i.as_ref().map(|(p, _)| p.clone()).unwrap_or_else(|| vec![0; IMAGE_PIXELS])));
    let outputs = move || state.inspected.with(|i| i.as_ref().map(|(_, a): &(Vec<u8>, Activations)| a.probabilities.clone()));

    view! {
        <details class="panel network" data-testid="network-view" prop:open=move || open.get()
            on:toggle=move |ev| {
                let now = event_target::<web_sys::HtmlElement>(&ev).has_attribute("open");
                if now != open.get_untracked() { open.set(now) }
            }>
            <summary><h2 id="network-title">{move || locale.t("network-title")}</h2></summary>
            <NetworkDiagram settings/>
            <div class="network-columns">
                <section class="weights-view" aria-labelledby="tiles-title">
                    <h3 id="tiles-title">{move || locale.t("tiles-title")}</h3>
                    <p class="hint">{move || locale.text(&text!("tiles-explained", scale = scale().unwrap_or_else(|| "–".into())))}</p>
                    <div class="colour-scale" aria-hidden="true"><span>{move || scale().map(|s| format!("−{s}"))}</span><span class="ramp"></span><span>{move || scale().map(|s| format!("+{s}"))}</span></div>
                    {move || state.weight_tiles.with(|t| t.is_none()).then(|| view! { <p class="placeholder">{move || locale.t("tiles-waiting")}</p> })}
                    <canvas node_ref=grid class="tile-grid" data-testid="weight-grid" role="img"
                        data-version=move || state.weight_tiles.with(|t| t.as_ref().map(|t| t.model_version.to_string()))
                        aria-label=move || locale.t("tiles-title") on:click=on_grid_click></canvas>
                    <div class="unit" data-testid="selected-unit" hidden=move || selected.get().is_none()>
                        <canvas node_ref=unit_canvas class="unit-tile" role="img" aria-label=move || locale.t("unit-large")></canvas>
                        <p role="status">{unit_facts}</p>
                    </div>
                    <p class="hint">{move || locale.t("tiles-click")}</p>
                </section>
                <section class="activations-view" aria-labelledby="activations-title">
                    <h3 id="activations-title">{move || locale.t("activations-title")}</h3>
                    <p class="hint">{move || locale.t("activations-explained")}</p>
                    <div class="inspect-source">
                        <span data-testid="inspected-source">{source}</span>
                        <button data-testid="inspect-test-image" on:click=move |_| next_test_image()>
                            {move || if state.inspected_test.get().is_some() { locale.t("next-test-image") } else { locale.t("show-test-image") }}
                        </button>
                    </div>
                    {move || (layers.get() == 0).then(|| view! { <p class="placeholder">{move || locale.t("activations-waiting")}</p> })}
                    <figure class="strip input-strip">
                        <figcaption>{move || locale.t("input")}" 28×28"</figcaption>
                        <DigitImage pixels=input label=locale.t("input")/>
                    </figure>
                    {move || (0..layers.get()).map(|layer| {
                        let values = Signal::derive(move || state.inspected.with(|i| i.as_ref().and_then(|(_, a)| a.hidden.get(layer).cloned())));
                        view! { <ActivationStrip layer values readout/> }
                    }).collect_view()}
                    <p class="readout" data-testid="activation-readout" aria-live="polite">{move || readout.get().unwrap_or_else(|| locale.t("activations-hover"))}</p>
                    <ol class="output-strip" class:named=dataset != crate::data::Dataset::Mnist data-testid="output-strip" aria-label=move || locale.t("outputs")>
                        {(0..NUM_CLASSES).map(|class| {
                            let p = move || outputs().and_then(|o| o.get(class).copied());
                            view! {
                                <li data-probability=move || p().map(|p| format!("{p:.4}"))>
                                    <span class="bar-label">{move || class_name(locale, dataset, class)}</span>
                                    <span class="bar-track"><span class="bar-fill" style:width=move || format!("{:.1}%", p().unwrap_or(0.0) * 100.0)></span></span>
                                    <span class="bar-value">{move || p().map(|p| format!("{:.1}%", p * 100.0)).unwrap_or_else(|| "–".into())}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                </section>
            </div>
        </details>
    }
}
