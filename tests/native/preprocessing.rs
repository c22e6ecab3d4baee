use backprop_playground::preprocess::{DrawingInput, centre_of_mass, preprocess_drawing};

/// A canvas with a thick stroke from `a` to `b` (canvas pixels), like a finger or mouse would draw.
fn canvas_with_strokes(side: usize, strokes: &[((f32, f32), (f32, f32))], radius: f32) -> Vec<u8> {
    let mut ink = vec![0u8; side * side];
    for &((ax, ay), (bx, by)) in strokes {
        for y in 0..side {
            for x in 0..side {
                let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
                let (dx, dy) = (bx - ax, by - ay);
                let t = (((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy).max(1e-6)).clamp(0.0, 1.0);
                let d = ((px - ax - t * dx).powi(2) + (py - ay - t * dy).powi(2)).sqrt();
                if d <= radius {
                    ink[y * side + x] = 255;
                }
            }
        }
    }
    ink
}

fn ink_box(pixels: &[u8]) -> (usize, usize) {
    let on: Vec<(usize, usize)> = pixels.iter().enumerate().filter(|(_, v)| **v > 0).map(|(i, _)| (i % 28, i / 28)).collect();
    let w = on.iter().map(|p| p.0).max().unwrap() - on.iter().map(|p| p.0).min().unwrap() + 1;
    let h = on.iter().map(|p| p.1).max().unwrap() - on.iter().map(|p| p.1).min().unwrap() + 1;
    (w, h)
}

#[test]
fn a_small_off_centre_digit_ends_up_centred_and_twenty_pixels_tall() {
    // A "7" in the top-left corner of a 280×280 canvas, about 60 px tall.
    let ink = canvas_with_strokes(280, &[((20.0, 20.0), (60.0, 20.0)), ((60.0, 20.0), (35.0, 80.0))], 5.0);
    let DrawingInput::Digit(p) = preprocess_drawing(&ink, 280, 280) else { panic!("a digit was drawn") };
    let (cx, cy) = centre_of_mass(&p.pixels.iter().map(|&v| v as f32).collect::<Vec<_>>(), 28).unwrap();
    assert!((cx - 14.0).abs() <= 0.5 && (cy - 14.0).abs() <= 0.5, "centre of mass ({cx}, {cy})");
    assert_eq!(p.centre_of_mass, (cx, cy));
    let (w, h) = ink_box(&p.pixels);
    assert_eq!(h, 20, "the longer side is 20 px");
    assert!(w < 20 && w >= 10, "the aspect ratio is kept: width {w}");
}

#[test]
fn a_wide_stroke_scales_by_its_width() {
    let ink = canvas_with_strokes(280, &[((100.0, 200.0), (260.0, 210.0))], 6.0);
    let DrawingInput::Digit(p) = preprocess_drawing(&ink, 280, 280) else { panic!("drawn") };
    let (w, h) = ink_box(&p.pixels);
    assert_eq!(w, 20);
    assert!(h <= 4, "height {h}");
}

#[test]
fn an_empty_or_nearly_empty_canvas_is_empty() {
    assert_eq!(preprocess_drawing(&vec![0u8; 280 * 280], 280, 280), DrawingInput::Empty);
    let mut speck = vec![0u8; 280 * 280];
    speck[140 * 280 + 140] = 255;
    assert_eq!(preprocess_drawing(&speck, 280, 280), DrawingInput::Empty);
    assert_eq!(preprocess_drawing(&[], 0, 0), DrawingInput::Empty);
    assert_eq!(preprocess_drawing(&[255; 10], 5, 5), DrawingInput::Empty, "wrong length is not a digit");
}
