//! "Keep what the class saw": the metrics as CSV, the log as text, and each chart as SVG and PNG as
//! drawn (axes and title), named after the run and the time. Everything is made in the page.

use super::heatmap::paint_tiles;
use crate::data::mnist::IMAGE_SIDE;
use crate::inspect::FirstLayerTiles;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::browser::{await_promise, js_error_text, offer_download};
use super::locale::use_locale;
use super::state::PlaygroundState;
use crate::export::{confusion_csv, epochs_csv, file_stem, losses_csv};
use crate::settings::PlaygroundSettings;
use crate::text;

const SVG_NS: &str = "http://www.w3.org/2000/svg";
/// The chart rules of www/style.css, resolved, so the file looks as drawn outside the page.
const CHART_STYLE: &str = "text{font-family:system-ui,'Segoe UI',Roboto,Arial,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif}\
.grid{stroke:#d0d7de;stroke-width:1}.tick{fill:#57606a;font-size:15px}.series{fill:none;stroke-linejoin:round}\
.series.raw{stroke:#9ab8dd;stroke-width:1}.series.smooth{stroke:#0b63c5;stroke-width:2.5}.series.accuracy{stroke:#1a7f37;stroke-width:2.5}\
.dot{fill:#1a7f37}.title{fill:#1b1f24;font-size:17px;font-weight:700}";
/// Room above the plot for the title, in the chart's own units.
const TITLE_HEIGHT: f64 = 30.0;

/// `2026-12-01_1152`, local time, for file names.
fn now_for_file_name() -> String {
    let d = js_sys::Date::new_0();
    format!("{:04}-{:02}-{:02}_{:02}{:02}", d.get_full_year(), d.get_month() + 1, d.get_date(), d.get_hours(), d.get_minutes())
}

/// The chart `<svg>` with `data-testid=testid` as a standalone file: its styles inlined and `title`
/// above the plot. Also its size in its own units.
fn chart_svg(testid: &str, title: &str) -> Result<(String, f64, f64), String> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let svg = document.query_selector(&format!("[data-testid=\"{testid}\"]")).map_err(|e| js_error_text(&e))?.ok_or("the chart is not on the page")?;
    let copy: web_sys::Element = svg.clone_node_with_deep(true).map_err(|e| js_error_text(&e))?.dyn_into().map_err(|_| "not an element")?;
    let view_box = svg.get_attribute("viewBox").unwrap_or_default();
    let dims: Vec<f64> = view_box.split_whitespace().filter_map(|v| v.parse().ok()).collect();
    let (width, height) = match dims.as_slice() {
        [_, _, w, h] => (*w, *h + TITLE_HEIGHT),
        _ => return Err("the chart has no size".into()),
    };
    let set = |k: &str, v: &str| copy.set_attribute(k, v).map_err(|e| js_error_text(&e));
    set("xmlns", SVG_NS)?;
    set("viewBox", &format!("0 {} {width} {height}", -TITLE_HEIGHT))?;
    set("width", &width.to_string())?;
    set("height", &height.to_string())?;
    let make = |tag: &str| document.create_element_ns(Some(SVG_NS), tag).map_err(|e| js_error_text(&e));
    let background = make("rect")?;
    for (k, v) in [("x", "0".to_string()), ("y", format!("{}", -TITLE_HEIGHT)), ("width", width.to_string()), ("height", height.to_string()), ("fill", "#ffffff".into())] {
        background.set_attribute(k, &v).map_err(|e| js_error_text(&e))?;
    }
    let style = make("style")?;
    style.set_text_content(Some(CHART_STYLE));
    let heading = make("text")?;
    heading.set_attribute("x", "8").map_err(|e| js_error_text(&e))?;
    heading.set_attribute("y", "-9").map_err(|e| js_error_text(&e))?;
    heading.set_attribute("class", "title").map_err(|e| js_error_text(&e))?;
    heading.set_text_content(Some(title));
    let first = copy.first_child();
    for node in [&style, &background, &heading] {
        copy.insert_before(node, first.as_ref()).map_err(|e| js_error_text(&e))?;
    }
    let xml = web_sys::XmlSerializer::new().map_err(|e| js_error_text(&e))?.serialize_to_string(&copy).map_err(|e| js_error_text(&e))?;
    Ok((xml, width, height))
}

/// Draws `svg` on a canvas at twice its size and returns it as a PNG file's bytes.
async fn svg_to_png(svg: &str, width: f64, height: f64) -> Result<Vec<u8>, String> {
    const SCALE: f64 = 2.0;
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/svg+xml");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&js_sys::Array::of1(&svg.into()), &options).map_err(|e| js_error_text(&e))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| js_error_text(&e))?;
    // `new Image()` through JS (the page's web-sys features stop short of HtmlImageElement).
    let image_class: js_sys::Function = js_sys::Reflect::get(&window, &"Image".into()).and_then(|c| c.dyn_into().map_err(JsValue::from)).map_err(|e| js_error_text(&e))?;
    let image = js_sys::Reflect::construct(&image_class, &js_sys::Array::new()).map_err(|e| js_error_text(&e))?;
    let loaded = js_sys::Promise::new(&mut |resolve, reject| {
        let _ = js_sys::Reflect::set(&image, &"onload".into(), &resolve);
        let _ = js_sys::Reflect::set(&image, &"onerror".into(), &reject);
    });
    let _ = js_sys::Reflect::set(&image, &"src".into(), &url.clone().into());
    let result = await_promise(loaded.into()).await;
    let _ = web_sys::Url::revoke_object_url(&url);
    result.map_err(|_| "the chart could not be drawn as an image".to_string())?;
    let canvas: web_sys::HtmlCanvasElement = document.create_element("canvas").map_err(|e| js_error_text(&e))?.dyn_into().map_err(|_| "no canvas")?;
    canvas.set_width((width * SCALE).round() as u32);
    canvas.set_height((height * SCALE).round() as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok().flatten().ok_or("no 2d context")?.dyn_into().map_err(|_| "no 2d context")?;
    ctx.scale(SCALE, SCALE).map_err(|e| js_error_text(&e))?;
    let draw: js_sys::Function = js_sys::Reflect::get(&ctx, &"drawImage".into()).and_then(|f| f.dyn_into().map_err(JsValue::from)).map_err(|e| js_error_text(&e))?;
    draw.call3(&ctx, &image, &0.0.into(), &0.0.into()).map_err(|e| js_error_text(&e))?;
    canvas_png(&canvas)
}

/// A canvas's picture as a PNG file's bytes.
fn canvas_png(canvas: &web_sys::HtmlCanvasElement) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let data_url = canvas.to_data_url_with_type("image/png").map_err(|e| js_error_text(&e))?;
    // A canvas over the browser's size limit gives "data:," rather than an error.
    let base64 = data_url.split_once(',').map(|(_, b)| b).filter(|b| !b.is_empty()).ok_or("the image is too large for this browser")?;
    let binary = window.atob(base64).map_err(|e| js_error_text(&e))?;
    Ok(binary.chars().map(|c| c as u32 as u8).collect())
}

/// The network view's weight grid (painted here from the tiles, whether or not it is on screen),
/// three times its size with sharp pixels, under a title that states the colour scale.
fn weight_grid_png(tiles: &FirstLayerTiles, title: &str) -> Result<Vec<u8>, String> {
    const SCALE: f64 = 3.0;
    const HEADER: f64 = 44.0;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let grid: web_sys::HtmlCanvasElement = document.create_element("canvas").map_err(|e| js_error_text(&e))?.dyn_into().map_err(|_| "no canvas")?;
    paint_tiles(&grid, &tiles.weights, IMAGE_SIDE, tiles.scale);
    let canvas: web_sys::HtmlCanvasElement = document.create_element("canvas").map_err(|e| js_error_text(&e))?.dyn_into().map_err(|_| "no canvas")?;
    let (width, height) = (f64::from(grid.width()) * SCALE, f64::from(grid.height()) * SCALE);
    canvas.set_width(width as u32);
    canvas.set_height((height + HEADER) as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok().flatten().ok_or("no 2d context")?.dyn_into().map_err(|_| "no 2d context")?;
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, width, height + HEADER);
    ctx.set_fill_style_str("#1d2733");
    ctx.set_font("bold 22px sans-serif");
    ctx.fill_text(title, 8.0, 30.0).map_err(|e| js_error_text(&e))?;
    ctx.set_image_smoothing_enabled(false);
    ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&grid, 0.0, HEADER, width, height).map_err(|e| js_error_text(&e))?;
    canvas_png(&canvas)
}

#[component]
pub fn ExportPanel(state: PlaygroundState, settings: Signal<Option<PlaygroundSettings>>) -> impl IntoView {
    let locale = use_locale();
    let dataset = super::classes::use_dataset();
    let status: RwSignal<Option<crate::i18n::Text>> = RwSignal::new(None);
    let stem = move || file_stem(&settings.get_untracked().unwrap_or_default(), &now_for_file_name());
    let save = move |bytes: &[u8], suffix: &str| {
        let name = format!("{}{suffix}", stem());
        match offer_download(bytes, &name) {
            Ok(()) => status.set(Some(text!("exported", name = name))),
            Err(e) => status.set(Some(text!("export-failed", reason = e))),
        }
    };
    let losses = move |_| {
        let per_epoch = state.progress.get_untracked().map_or(1, |p| p.batches_per_epoch);
        save(state.losses.with_untracked(|l| losses_csv(l, per_epoch)).as_bytes(), "_losses.csv");
    };
    let epochs = move |_| {
        let rows: Vec<(usize, f64, f64)> = state.epochs.with_untracked(|e| e.iter().map(|r| (r.epoch, r.accuracy, r.mean_loss)).collect());
        save(epochs_csv(&rows).as_bytes(), "_epochs.csv");
    };
    let confusion = move |_| match state.confusion.get_untracked() {
        Some(m) => save(confusion_csv(&m, &(0..10).map(|d| dataset.english_class_name(d)).collect::<Vec<_>>()).as_bytes(), "_confusion.csv"),
        None => status.set(Some(text!("export-after-epoch"))),
    };
    let log = move |_| {
        let text = state.log.with_untracked(|l| l.join("\n")) + "\n";
        save(text.as_bytes(), "_log.txt");
    };
    let chart = move |testid: &'static str, title_id: &'static str, name: &'static str, png: bool| {
        let title = locale.t(title_id);
        match chart_svg(testid, &title) {
            Err(e) => status.set(Some(text!("export-failed", reason = e))),
            Ok((svg, _, _)) if !png => save(svg.as_bytes(), &format!("_{name}.svg")),
            Ok((svg, width, height)) => {
                let suffix = format!("_{name}.png");
                leptos::task::spawn_local(async move {
                    match svg_to_png(&svg, width, height).await {
                        Ok(bytes) => save(&bytes, &suffix),
                        Err(e) => status.set(Some(text!("export-failed", reason = e))),
                    }
                });
            }
        }
    };
    let weight_grid = move |_| {
        let made = state.weight_tiles.with_untracked(|t| {
            t.as_ref().map(|t| weight_grid_png(t, &locale.text(&text!("weight-grid-title", units = t.units, scale = format!("{:.3}", t.scale)))))
        });
        match made {
            None => status.set(Some(text!("export-weights-first"))),
            Some(Ok(bytes)) => save(&bytes, "_weight-grid.png"),
            Some(Err(e)) => status.set(Some(text!("export-failed", reason = e))),
        }
    };
    view! {
        <section class="panel export" aria-labelledby="export-title">
            <h2 id="export-title">{move || locale.t("export-title")}</h2>
            <p class="hint">{move || locale.t("export-hint")}</p>
            <div class="buttons">
                <button data-testid="export-losses" on:click=losses>{move || locale.t("export-losses")}</button>
                <button data-testid="export-epochs" on:click=epochs>{move || locale.t("export-epochs")}</button>
                <button data-testid="export-confusion" on:click=confusion>{move || locale.t("export-confusion")}</button>
                <button data-testid="export-log" on:click=log>{move || locale.t("export-log")}</button>
            </div>
            <div class="buttons">
                <button data-testid="export-loss-svg" on:click=move |_| chart("loss-chart", "loss-chart-title", "loss-chart", false)>{move || locale.t("export-loss-svg")}</button>
                <button data-testid="export-loss-png" on:click=move |_| chart("loss-chart", "loss-chart-title", "loss-chart", true)>{move || locale.t("export-loss-png")}</button>
                <button data-testid="export-accuracy-svg" on:click=move |_| chart("accuracy-chart", "accuracy-chart-title", "accuracy-chart", false)>{move || locale.t("export-accuracy-svg")}</button>
                <button data-testid="export-accuracy-png" on:click=move |_| chart("accuracy-chart", "accuracy-chart-title", "accuracy-chart", true)>{move || locale.t("export-accuracy-png")}</button>
                <button data-testid="export-weight-grid" on:click=weight_grid>{move || locale.t("export-weight-grid")}</button>
            </div>
            {move || status.get().map(|s| view! { <p class="hint" role="status" data-testid="export-status">{move || locale.text(&s)}</p> })}
        </section>
    }
}
