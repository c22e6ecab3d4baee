//! A 28×28 grey-scale digit drawn into a `<canvas>`, scaled up crisply by CSS.

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, ImageData};

use crate::data::mnist::{IMAGE_PIXELS, IMAGE_SIDE};

/// Paints `pixels` (0 = background, 255 = ink) as dark ink on white.
pub fn paint_digit(canvas: &web_sys::HtmlCanvasElement, pixels: &[u8]) {
    if pixels.len() != IMAGE_PIXELS {
        return;
    }
    let Some(ctx) = canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok()) else {
        return;
    };
    let mut rgba = Vec::with_capacity(IMAGE_PIXELS * 4);
    for &p in pixels {
        let v = 255 - p;
        rgba.extend_from_slice(&[v, v, v, 255]);
    }
    if let Ok(image) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), IMAGE_SIDE as u32, IMAGE_SIDE as u32) {
        let _ = ctx.put_image_data(&image, 0.0, 0.0);
    }
}

#[component]
pub fn DigitImage(#[prop(into)] pixels: Signal<Vec<u8>>, #[prop(optional, into)] label: String) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let pixels = pixels.get();
        if let Some(c) = canvas.get() {
            paint_digit(&c, &pixels);
        }
    });
    view! { <canvas node_ref=canvas class="digit" width=IMAGE_SIDE height=IMAGE_SIDE role="img" aria-label=label></canvas> }
}
