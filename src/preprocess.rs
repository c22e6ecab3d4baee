//! Turns a drawing into what MNIST's digits look like, the way the dataset was made: crop to the ink,
//! scale the longer side to 20 px keeping the aspect ratio (anti-aliased by area averaging), and place
//! it in a 28×28 image so that its centre of mass sits at the centre.
//!
//! Coordinates: pixel `(x, y)` covers `[x, x+1) × [y, y+1)`, so its mass sits at `(x+0.5, y+0.5)` and
//! the centre of a 28×28 image is `(14, 14)`.

use crate::data::mnist::{IMAGE_PIXELS, IMAGE_SIDE};

/// The longer side of the digit's box after scaling, as in MNIST.
pub const BOX_SIDE: usize = 20;
/// Ink below this (0…255) counts as background when finding the digit's box.
pub const INK_THRESHOLD: u8 = 24;
/// Less ink than this share of the canvas (in full-ink pixels) is "nothing drawn yet": a tap or a
/// speck, not a digit.
pub const MIN_INK_SHARE: f64 = 0.002;

/// An image the network can read.
#[derive(Debug, Clone, PartialEq)]
pub struct Preprocessed {
    /// 28×28, row-major, 0 = background, 255 = full ink (as MNIST).
    pub pixels: Vec<u8>,
    /// Centre of mass in the 28×28 image, `(x, y)`.
    pub centre_of_mass: (f32, f32),
}

/// What the drawing turned into.
#[derive(Debug, Clone, PartialEq)]
pub enum DrawingInput {
    /// Nothing (or almost nothing) drawn: ask for a digit instead of predicting.
    Empty,
    Digit(Preprocessed),
}

/// Centre of mass `(x, y)` of a `width × height` ink image, pixel centres at `+0.5`.
pub fn centre_of_mass(ink: &[f32], width: usize) -> Option<(f32, f32)> {
    let (mut sum, mut sx, mut sy) = (0.0f64, 0.0f64, 0.0f64);
    for (i, &v) in ink.iter().enumerate() {
        let (x, y) = ((i % width) as f64 + 0.5, (i / width) as f64 + 0.5);
        sum += v as f64;
        sx += v as f64 * x;
        sy += v as f64 * y;
    }
    (sum > 0.0).then(|| ((sx / sum) as f32, (sy / sum) as f32))
}

/// Box-filter resampling of `src` (`sw × sh`) to `dw × dh`: each output pixel is the average of the
/// source area it covers, which anti-aliases when shrinking.
fn resample(src: &[f32], sw: usize, sh: usize, dw: usize, dh: usize) -> Vec<f32> {
    let (fx, fy) = (sw as f64 / dw as f64, sh as f64 / dh as f64);
    let mut out = vec![0.0f32; dw * dh];
    for oy in 0..dh {
        let (y0, y1) = (oy as f64 * fy, (oy + 1) as f64 * fy);
        for ox in 0..dw {
            let (x0, x1) = (ox as f64 * fx, (ox + 1) as f64 * fx);
            let mut acc = 0.0f64;
            for sy in (y0.floor() as usize)..(y1.ceil() as usize).min(sh) {
                let wy = (y1.min(sy as f64 + 1.0) - y0.max(sy as f64)).max(0.0);
                for sx in (x0.floor() as usize)..(x1.ceil() as usize).min(sw) {
                    let wx = (x1.min(sx as f64 + 1.0) - x0.max(sx as f64)).max(0.0);
                    acc += src[sy * sw + sx] as f64 * wx * wy;
                }
            }
            out[oy * dw + ox] = (acc / (fx * fy)) as f32;
        }
    }
    out
}

/// Preprocesses a `width × height` ink image (0…255, 0 = background), e.g. a canvas's alpha channel.
pub fn preprocess_drawing(ink: &[u8], width: usize, height: usize) -> DrawingInput {
    if width == 0 || height == 0 || ink.len() != width * height {
        return DrawingInput::Empty;
    }
    // The ink's bounding box.
    let (mut x_min, mut y_min, mut x_max, mut y_max) = (usize::MAX, usize::MAX, 0, 0);
    for y in 0..height {
        for x in 0..width {
            if ink[y * width + x] >= INK_THRESHOLD {
                x_min = x_min.min(x);
                x_max = x_max.max(x);
                y_min = y_min.min(y);
                y_max = y_max.max(y);
            }
        }
    }
    if x_min == usize::MAX {
        return DrawingInput::Empty;
    }
    let (bw, bh) = (x_max - x_min + 1, y_max - y_min + 1);
    let cropped: Vec<f32> =
        (y_min..=y_max).flat_map(|y| (x_min..=x_max).map(move |x| (y, x))).map(|(y, x)| ink[y * width + x] as f32).collect();

    // Longer side → 20 px, aspect ratio kept (at least 1 px on the short side).
    let scale = BOX_SIDE as f64 / bw.max(bh) as f64;
    let dw = ((bw as f64 * scale).round() as usize).clamp(1, BOX_SIDE);
    let dh = ((bh as f64 * scale).round() as usize).clamp(1, BOX_SIDE);
    let total_ink: f64 = cropped.iter().map(|&v| v as f64 / 255.0).sum();
    if total_ink < MIN_INK_SHARE * (width * height) as f64 {
        return DrawingInput::Empty;
    }
    let small = resample(&cropped, bw, bh, dw, dh);

    // Shift so the centre of mass lands on (14, 14), to the nearest pixel as MNIST did.
    let Some((cx, cy)) = centre_of_mass(&small, dw) else {
        return DrawingInput::Empty;
    };
    let centre = IMAGE_SIDE as f32 / 2.0;
    let off_x = (centre - cx).round() as i64;
    let off_y = (centre - cy).round() as i64;
    let mut out = vec![0.0f32; IMAGE_PIXELS];
    for y in 0..dh {
        for x in 0..dw {
            let (tx, ty) = (x as i64 + off_x, y as i64 + off_y);
            if (0..IMAGE_SIDE as i64).contains(&tx) && (0..IMAGE_SIDE as i64).contains(&ty) {
                out[ty as usize * IMAGE_SIDE + tx as usize] = small[y * dw + x];
            }
        }
    }
    let pixels: Vec<u8> = out.iter().map(|&v| v.round().clamp(0.0, 255.0) as u8).collect();
    let as_f32: Vec<f32> = pixels.iter().map(|&v| v as f32).collect();
    let centre_of_mass = centre_of_mass(&as_f32, IMAGE_SIDE).unwrap_or((centre, centre));
    DrawingInput::Digit(Preprocessed { pixels, centre_of_mass })
}
