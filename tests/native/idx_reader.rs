use std::io::Write;

use backprop_playground::data::idx::{self, IdxError, IdxImages};
use backprop_playground::data::{MnistDataset, Split};

fn sample_images() -> IdxImages {
    let count = 3;
    let pixels = (0..count * 28 * 28).map(|i| (i * 7 % 256) as u8).collect();
    IdxImages { count, rows: 28, cols: 28, pixels }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn images_and_labels_round_trip_plain_and_gzip() {
    let images = sample_images();
    let labels = vec![7u8, 0, 9];
    let image_bytes = idx::encode_images(&images);
    let label_bytes = idx::encode_labels(&labels);
    assert_eq!(idx::parse_images("imgs", &image_bytes).unwrap(), images);
    assert_eq!(idx::parse_labels("lbls", &label_bytes).unwrap(), labels);
    assert_eq!(idx::parse_images("imgs.gz", &gzip(&image_bytes)).unwrap(), images);
    assert_eq!(idx::parse_labels("lbls.gz", &gzip(&label_bytes)).unwrap(), labels);

    let dataset = MnistDataset::from_idx_bytes("imgs", &gzip(&image_bytes), "lbls", &label_bytes).unwrap();
    assert_eq!(dataset.len(), 3);
    assert_eq!(dataset.label(2), 9);
    assert_eq!(dataset.image(1), &images.pixels[784..1568]);
}

#[test]
fn wrong_magic_number_is_named() {
    let labels = idx::encode_labels(&[1, 2]);
    // A label file given where images are expected.
    let err = idx::parse_images("train-images", &labels).unwrap_err();
    assert!(matches!(err, IdxError::BadMagic { found: 0x801, expected: 0x803, .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("train-images") && text.contains("magic"), "{text}");
}

#[test]
fn truncated_files_are_errors_not_panics() {
    let bytes = idx::encode_images(&sample_images());
    for cut in [0, 3, 7, 15, 16, 100, bytes.len() - 1] {
        let err = idx::parse_images("cut", &bytes[..cut]).unwrap_err();
        assert!(matches!(err, IdxError::Truncated { .. } | IdxError::BadMagic { .. }), "cut {cut}: {err:?}");
        if cut >= 4 {
            assert!(matches!(err, IdxError::Truncated { .. }), "cut {cut}: {err:?}");
            assert!(err.to_string().contains("truncated"));
        }
    }
    let labels = idx::encode_labels(&[1, 2, 3]);
    assert!(matches!(idx::parse_labels("l", &labels[..9]), Err(IdxError::Truncated { expected: 11, found: 9, .. })));
    // A gzip stream cut short is reported as such.
    let gz = gzip(&bytes);
    let err = idx::parse_images("cut.gz", &gz[..gz.len() / 2]).unwrap_err();
    assert!(matches!(err, IdxError::BadGzip { .. } | IdxError::Truncated { .. }), "{err:?}");
}

#[test]
fn label_above_nine_is_rejected_with_its_position() {
    let err = idx::parse_labels("labels", &idx::encode_labels(&[3, 9, 10, 1])).unwrap_err();
    assert_eq!(err, IdxError::BadLabel { file: "labels".into(), index: 2, label: 10 });
    assert!(err.to_string().contains("0–9"));
}

#[test]
fn image_and_label_counts_must_agree() {
    let images = idx::encode_images(&sample_images());
    let labels = idx::encode_labels(&[1, 2]);
    let err = MnistDataset::from_idx_bytes("imgs", &images, "lbls", &labels).unwrap_err();
    assert!(matches!(err, IdxError::CountMismatch { images: 3, labels: 2, .. }), "{err:?}");
    assert!(err.to_string().contains("imgs") && err.to_string().contains("lbls"));
}

#[test]
fn absurd_header_sizes_are_refused_before_allocating() {
    let mut bytes = idx::encode_images(&sample_images());
    bytes[4..8].copy_from_slice(&u32::MAX.to_be_bytes());
    let err = idx::parse_images("huge", &bytes).unwrap_err();
    assert!(matches!(err, IdxError::TooLarge { .. } | IdxError::Truncated { .. }), "{err:?}");
}

#[test]
fn images_of_the_wrong_size_are_refused() {
    let images = IdxImages { count: 1, rows: 32, cols: 32, pixels: vec![0; 1024] };
    let err = MnistDataset::from_idx_bytes("imgs", &idx::encode_images(&images), "lbls", &idx::encode_labels(&[1])).unwrap_err();
    assert!(matches!(err, IdxError::WrongImageSize { rows: 32, cols: 32, .. }));
}

#[test]
fn the_shipped_mnist_loads_in_full() {
    let train = super::mnist(Split::Train);
    let test = super::mnist(Split::Test);
    assert_eq!((train.len(), test.len()), (60_000, 10_000));
    // Every digit occurs, and the first training label is MNIST's famous 5.
    assert_eq!(train.label(0), 5);
    for digit in 0..10u8 {
        assert!(test.labels().iter().filter(|&&l| l == digit).count() > 800);
    }
    assert_eq!(train.first(2000).len(), 2000);
}
