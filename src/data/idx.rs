//! Reader for the IDX files MNIST ships in (`train-images-idx3-ubyte`, …), plain or gzip-compressed.
//!
//! Every malformed input is an [`IdxError`] that names the file and the problem: the page shows these
//! messages to the user, so none of this may panic.

use std::fmt;
use std::io::Read;

/// IDX magic numbers: two zero bytes, the element type (0x08 = u8) and the number of dimensions.
const MAGIC_IMAGES: u32 = 0x0000_0803;
const MAGIC_LABELS: u32 = 0x0000_0801;
/// First two bytes of every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// Refuses absurd headers before allocating: the whole MNIST train set is 47 MB.
const MAX_DECODED_BYTES: usize = 512 * 1024 * 1024;

/// Images as stored: row-major `u8` pixels, `count × rows × cols`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxImages {
    pub count: usize,
    pub rows: usize,
    pub cols: usize,
    pub pixels: Vec<u8>,
}

/// What can be wrong with an IDX file; `file` is the name the caller gave, shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdxError {
    /// The file could not be read at all (missing, permissions, network).
    Unreadable { file: String, reason: String },
    /// It starts like gzip but does not decompress.
    BadGzip { file: String, reason: String },
    /// The first four bytes are not the expected IDX magic number.
    BadMagic { file: String, expected: u32, found: u32 },
    /// The header promises more bytes than the file has (or the header itself is cut off).
    Truncated { file: String, expected: usize, found: usize },
    /// The header promises an absurd size; refused before allocating.
    TooLarge { file: String, bytes: usize },
    /// A label outside 0…9.
    BadLabel { file: String, index: usize, label: u8 },
    /// Images and labels disagree on how many samples there are.
    CountMismatch { images_file: String, images: usize, labels_file: String, labels: usize },
    /// Images are not 28×28.
    WrongImageSize { file: String, rows: usize, cols: usize },
}

impl fmt::Display for IdxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdxError::Unreadable { file, reason } => write!(f, "{file}: cannot be read ({reason})"),
            IdxError::BadGzip { file, reason } => {
                write!(f, "{file}: looks gzip-compressed but does not decompress ({reason})")
            }
            IdxError::BadMagic { file, expected, found } => write!(
                f,
                "{file}: not an IDX file of the expected kind (magic number 0x{found:08x}, expected 0x{expected:08x})"
            ),
            IdxError::Truncated { file, expected, found } => write!(
                f,
                "{file}: truncated (the header promises {expected} bytes, the file has {found})"
            ),
            IdxError::TooLarge { file, bytes } => {
                write!(f, "{file}: the header promises {bytes} bytes, which is too large to be MNIST")
            }
            IdxError::BadLabel { file, index, label } => {
                write!(f, "{file}: label #{index} is {label}, but labels must be digits 0–9")
            }
            IdxError::CountMismatch { images_file, images, labels_file, labels } => write!(
                f,
                "{images_file} has {images} images but {labels_file} has {labels} labels; they must match"
            ),
            IdxError::WrongImageSize { file, rows, cols } => {
                write!(f, "{file}: images are {rows}×{cols}, expected 28×28")
            }
        }
    }
}

impl std::error::Error for IdxError {}

/// Returns the bytes, decompressed when they are gzip; plain IDX passes through without a copy.
pub fn decompress_if_gzip<'a>(file: &str, bytes: &'a [u8]) -> Result<std::borrow::Cow<'a, [u8]>, IdxError> {
    if !bytes.starts_with(&GZIP_MAGIC) {
        return Ok(std::borrow::Cow::Borrowed(bytes));
    }
    let mut decoded = Vec::with_capacity(bytes.len().saturating_mul(4));
    flate2::read::GzDecoder::new(bytes)
        // One byte past the cap tells "too large" from "exactly at the cap".
        .take(MAX_DECODED_BYTES as u64 + 1)
        .read_to_end(&mut decoded)
        .map_err(|e| IdxError::BadGzip { file: file.to_owned(), reason: e.to_string() })?;
    if decoded.len() > MAX_DECODED_BYTES {
        return Err(IdxError::TooLarge { file: file.to_owned(), bytes: decoded.len() });
    }
    Ok(std::borrow::Cow::Owned(decoded))
}

/// Reads the big-endian header: the magic number, then `dims` sizes. Returns the sizes and the payload.
fn read_header<'a>(file: &str, bytes: &'a [u8], magic: u32, dims: usize) -> Result<(Vec<usize>, &'a [u8]), IdxError> {
    let header_len = 4 * (1 + dims);
    if bytes.len() < 4 {
        return Err(IdxError::Truncated { file: file.to_owned(), expected: header_len, found: bytes.len() });
    }
    let word = |i: usize| u32::from_be_bytes([bytes[4 * i], bytes[4 * i + 1], bytes[4 * i + 2], bytes[4 * i + 3]]);
    let found = word(0);
    if found != magic {
        return Err(IdxError::BadMagic { file: file.to_owned(), expected: magic, found });
    }
    if bytes.len() < header_len {
        return Err(IdxError::Truncated { file: file.to_owned(), expected: header_len, found: bytes.len() });
    }
    let sizes: Vec<usize> = (1..=dims).map(|i| word(i) as usize).collect();
    let payload_len = sizes
        .iter()
        .try_fold(1usize, |acc, &n| acc.checked_mul(n))
        .filter(|&n| n <= MAX_DECODED_BYTES)
        .ok_or_else(|| IdxError::TooLarge { file: file.to_owned(), bytes: usize::MAX })?;
    let payload = &bytes[header_len..];
    if payload.len() < payload_len {
        return Err(IdxError::Truncated {
            file: file.to_owned(),
            expected: header_len + payload_len,
            found: bytes.len(),
        });
    }
    Ok((sizes, &payload[..payload_len]))
}

/// Parses an `idx3-ubyte` image file (plain or gzip).
pub fn parse_images(file: &str, bytes: &[u8]) -> Result<IdxImages, IdxError> {
    let bytes = decompress_if_gzip(file, bytes)?;
    let (sizes, payload) = read_header(file, &bytes, MAGIC_IMAGES, 3)?;
    Ok(IdxImages { count: sizes[0], rows: sizes[1], cols: sizes[2], pixels: payload.to_vec() })
}

/// Parses an `idx1-ubyte` label file (plain or gzip); every label must be a digit 0…9.
pub fn parse_labels(file: &str, bytes: &[u8]) -> Result<Vec<u8>, IdxError> {
    let bytes = decompress_if_gzip(file, bytes)?;
    let (_, payload) = read_header(file, &bytes, MAGIC_LABELS, 1)?;
    if let Some((index, &label)) = payload.iter().enumerate().find(|&(_, &l)| l > 9) {
        return Err(IdxError::BadLabel { file: file.to_owned(), index, label });
    }
    Ok(payload.to_vec())
}

/// Writes images in IDX format; used by tests and fixtures, and the inverse of [`parse_images`].
pub fn encode_images(images: &IdxImages) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + images.pixels.len());
    for word in [MAGIC_IMAGES, images.count as u32, images.rows as u32, images.cols as u32] {
        out.extend_from_slice(&word.to_be_bytes());
    }
    out.extend_from_slice(&images.pixels);
    out
}

/// Writes labels in IDX format; the inverse of [`parse_labels`].
pub fn encode_labels(labels: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + labels.len());
    out.extend_from_slice(&MAGIC_LABELS.to_be_bytes());
    out.extend_from_slice(&(labels.len() as u32).to_be_bytes());
    out.extend_from_slice(labels);
    out
}
