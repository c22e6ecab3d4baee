//! Numbers as colours on a `<canvas>`: the diverging map of the network view (blue below zero, white
//! at zero, red above, one stated scale) and the grids it paints.

use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// Exactly zero in an activation strip: a ReLU that is off. Grey, so it reads as "nothing", not as
/// a small value.
pub const ZERO: [u8; 3] = [205, 205, 205];
const NEGATIVE: [f32; 3] = [33.0, 102.0, 172.0];
const POSITIVE: [f32; 3] = [178.0, 24.0, 43.0];

/// The colour of `value` on the scale `−scale … 0 … +scale` (values beyond it saturate; NaN is black).
pub fn diverging(value: f32, scale: f32) -> [u8; 3] {
    if !value.is_finite() {
        return [0, 0, 0];
    }
    let t = if scale > 0.0 { (value / scale).clamp(-1.0, 1.0) } else { 0.0 };
    let end = if t < 0.0 { NEGATIVE } else { POSITIVE };
    let a = t.abs();
    let mix = |c: f32| (255.0 + (c - 255.0) * a).round() as u8;
    [mix(end[0]), mix(end[1]), mix(end[2])]
}

/// Columns of the grid that lays out `count` cells (32 across for the seed's layers).
pub fn columns(count: usize) -> usize {
    count.clamp(1, 32)
}

/// The 2-D context of `canvas`, resized to `width`×`height` when it differs.
fn context(canvas: &HtmlCanvasElement, width: u32, height: u32) -> Option<CanvasRenderingContext2d> {
    if canvas.width() != width || canvas.height() != height {
        canvas.set_width(width);
        canvas.set_height(height);
    }
    canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into().ok())
}

/// Paints an RGBA buffer of `width`×`height` pixels.
fn put(canvas: &HtmlCanvasElement, rgba: &[u8], width: u32, height: u32) {
    let Some(ctx) = context(canvas, width, height) else { return };
    if let Ok(image) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width, height) {
        let _ = ctx.put_image_data(&image, 0.0, 0.0);
    }
}

/// One square tile per `side`×`side` block of `values`, in a grid of [`columns`] with a one-pixel
/// gap: the first layer's weights, each unit's 784 as 28×28.
pub fn paint_tiles(canvas: &HtmlCanvasElement, values: &[f32], side: usize, scale: f32) {
    // 511 steps from −scale to +scale, looked up: 401k weights are painted in a few milliseconds,
    // on the page's main thread.
    const STEPS: f32 = 255.0;
    let table: Vec<[u8; 3]> = (-255..=255).map(|i| diverging(i as f32 / STEPS, 1.0)).collect();
    let per_unit = if scale > 0.0 { STEPS / scale } else { 0.0 };
    let colour = |v: f32| -> [u8; 3] {
        if !v.is_finite() {
            return [0, 0, 0];
        }
        let i = ((v * per_unit).clamp(-STEPS, STEPS)).round() as i32 + 255;
        table.get(i as usize).copied().unwrap_or([0, 0, 0])
    };
    let per_tile = side * side;
    let count = values.len() / per_tile.max(1);
    let cols = columns(count);
    let rows = count.div_ceil(cols);
    let (width, height) = (cols * (side + 1) - 1, (rows * (side + 1)).saturating_sub(1).max(1));
    let mut rgba = vec![255u8; width * height * 4];
    for (tile, chunk) in values.chunks_exact(per_tile).enumerate() {
        let (x0, y0) = ((tile % cols) * (side + 1), (tile / cols) * (side + 1));
        // Row by row: one slice of the image per 28 weights.
        for (row, row_values) in chunk.chunks_exact(side).enumerate() {
            let start = ((y0 + row) * width + x0) * 4;
            let Some(line) = rgba.get_mut(start..start + side * 4) else { continue };
            for (px, &v) in line.chunks_exact_mut(4).zip(row_values) {
                let [r, g, b] = colour(v);
                px[0] = r;
                px[1] = g;
                px[2] = b;
            }
        }
    }
    put(canvas, &rgba, width as u32, height as u32);
}

/// One `cell`×`cell` square per value in a grid of [`columns`]; exact zeros grey; the cell at
/// `focus` outlined.
pub fn paint_cells(canvas: &HtmlCanvasElement, values: &[f32], cell: usize, scale: f32, focus: Option<usize>) {
    let cols = columns(values.len());
    let rows = values.len().div_ceil(cols).max(1);
    let (width, height) = (cols * cell, rows * cell);
    let mut rgba = vec![255u8; width * height * 4];
    for (i, &v) in values.iter().enumerate() {
        let colour = if v == 0.0 { ZERO } else { diverging(v, scale) };
        let (x0, y0) = ((i % cols) * cell, (i / cols) * cell);
        for dy in 0..cell {
            for dx in 0..cell {
                // A one-pixel white line between cells keeps them countable.
                let edge = dx == cell - 1 || dy == cell - 1;
                let outline = focus == Some(i) && (dx == 0 || dy == 0 || dx >= cell - 2 || dy >= cell - 2);
                let c = if outline { [0, 0, 0] } else if edge { [255, 255, 255] } else { colour };
                let at = ((y0 + dy) * width + x0 + dx) * 4;
                if let Some(px) = rgba.get_mut(at..at + 3) {
                    px.copy_from_slice(&c);
                }
            }
        }
    }
    put(canvas, &rgba, width as u32, height as u32);
}

/// The cell under a pointer at (`x`, `y`) CSS pixels on a canvas drawn `shown_width` wide, for a
/// grid of `count` cells `cell` canvas pixels each (`None` off the grid).
pub fn cell_at(x: f64, y: f64, shown_width: f64, canvas_width: u32, cell: usize, count: usize) -> Option<usize> {
    if shown_width <= 0.0 || cell == 0 {
        return None;
    }
    let k = f64::from(canvas_width) / shown_width;
    let (cx, cy) = ((x * k) as usize / cell, (y * k) as usize / cell);
    let cols = columns(count);
    if x < 0.0 || y < 0.0 || cx >= cols || cy >= count.div_ceil(cols) {
        return None;
    }
    let index = cy * cols + cx;
    (index < count).then_some(index)
}
