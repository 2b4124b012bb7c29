//! Decoding (with limits and orientation applied) and encoding (pixels only).

use crate::error::Unreadable;
use crate::metadata::{self, Orientation};
use image::{DynamicImage, ImageDecoder, ImageReader};
use std::io::Cursor;

/// An image container phiscrub reads and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Jpeg,
    Png,
}

impl Format {
    /// Recognises a container by its first bytes; file names are not trusted.
    ///
    /// ```
    /// use phiscrub::Format;
    /// assert_eq!(Format::sniff(b"\x89PNG\r\n\x1a\n...."), Some(Format::Png));
    /// assert_eq!(Format::sniff(b"\xff\xd8\xff\xe0"), Some(Format::Jpeg));
    /// assert_eq!(Format::sniff(b"GIF89a"), None);
    /// ```
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Format::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else {
            None
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
        }
    }

    fn image_format(&self) -> image::ImageFormat {
        match self {
            Format::Jpeg => image::ImageFormat::Jpeg,
            Format::Png => image::ImageFormat::Png,
        }
    }
}

/// A decoded image whose pixels are upright.
pub struct Decoded {
    pub image: DynamicImage,
    pub format: Format,
    /// The EXIF orientation that was applied to the pixels (1 when none).
    pub orientation: u16,
    /// True when EXIF was present but unreadable, so orientation was guessed
    /// from the decoder's own reader (or left as stored).
    pub orientation_uncertain: bool,
}

/// Decodes `bytes`, refusing anything over `max_pixels`, and rotates/flips the
/// pixels as the EXIF orientation says, so detection sees what a viewer shows.
pub fn decode(bytes: &[u8], max_pixels: u64) -> Result<Decoded, Unreadable> {
    let format = Format::sniff(bytes).ok_or(Unreadable::NotAnImage)?;
    if format == Format::Jpeg {
        // The JPEG decoder pads a truncated file with grey instead of failing;
        // exporting half a photo without a word would lose the user's data.
        metadata::jpeg::layout(bytes).map_err(|e| Unreadable::Corrupt(e.to_string()))?;
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut limits = image::Limits::default();
    // Room for the decoded buffer plus the decoder's own working set.
    limits.max_alloc = Some(max_pixels.saturating_mul(16).max(64 << 20));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let (width, height) = decoder.dimensions();
    if width as u64 * height as u64 > max_pixels {
        return Err(Unreadable::TooLarge {
            width,
            height,
            limit: max_pixels,
        });
    }
    let fallback = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;

    let (orientation, uncertain) = match metadata::orientation(bytes) {
        Orientation::Exif(v) => (v, false),
        Orientation::Absent => (1, false),
        Orientation::Unreadable => (fallback.map(orientation_value).unwrap_or(1), true),
    };
    if let Some(o) = image::metadata::Orientation::from_exif(orientation as u8) {
        image.apply_orientation(o);
    }
    Ok(Decoded {
        image,
        format,
        orientation,
        orientation_uncertain: uncertain,
    })
}

fn orientation_value(o: image::metadata::Orientation) -> u16 {
    use image::metadata::Orientation as O;
    match o {
        O::NoTransforms => 1,
        O::FlipHorizontal => 2,
        O::Rotate180 => 3,
        O::FlipVertical => 4,
        O::Rotate90FlipH => 5,
        O::Rotate90 => 6,
        O::Rotate270FlipH => 7,
        O::Rotate270 => 8,
    }
}

fn corrupt(e: image::ImageError) -> Unreadable {
    match e {
        image::ImageError::Limits(l) => Unreadable::Corrupt(format!("over the memory limit: {l}")),
        image::ImageError::Unsupported(u) => Unreadable::Unsupported(one_line(&u.to_string())),
        other => {
            let msg = one_line(&other.to_string());
            // zune-jpeg reports unimplemented coding modes as format errors.
            if msg.contains("not supported") {
                Unreadable::Unsupported(msg)
            } else {
                Unreadable::Corrupt(msg)
            }
        }
    }
}

/// Encodes pixels only: no EXIF, XMP, comments, text chunks or timestamps are
/// written, because none are ever handed to the encoder.
pub fn encode(image: &DynamicImage, format: Format, jpeg_quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    match format {
        Format::Jpeg => {
            // JPEG holds 8-bit grey or colour, without alpha.
            let img = match image {
                DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) => image.clone(),
                DynamicImage::ImageLuma16(_)
                | DynamicImage::ImageLumaA8(_)
                | DynamicImage::ImageLumaA16(_) => DynamicImage::ImageLuma8(image.to_luma8()),
                _ => DynamicImage::ImageRgb8(image.to_rgb8()),
            };
            let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, jpeg_quality);
            img.write_with_encoder(enc).map_err(|e| e.to_string())?;
        }
        Format::Png => {
            let enc = image::codecs::png::PngEncoder::new_with_quality(
                &mut out,
                image::codecs::png::CompressionType::Default,
                image::codecs::png::FilterType::Adaptive,
            );
            let img = match image {
                DynamicImage::ImageRgb32F(_) => DynamicImage::ImageRgb16(image.to_rgb16()),
                DynamicImage::ImageRgba32F(_) => DynamicImage::ImageRgba16(image.to_rgba16()),
                _ => image.clone(),
            };
            img.write_with_encoder(enc).map_err(|e| e.to_string())?;
        }
    }
    Ok(out)
}

/// Decoder messages sometimes span lines; a per-file error must stay on one.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
