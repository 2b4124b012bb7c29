//! Pixels in and out: decoding with limits, orientation, and encoding pixels
//! alone (plus, when asked, a colour profile).

use crate::error::Unreadable;
use crate::format::Format;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageReader};
use std::io::Cursor;

/// Decoded pixels as stored in the file (orientation not applied), and the
/// colour profile the decoder found.
///
/// ```
/// use phiscrub::image_io::{decode, icc_fits};
/// use phiscrub::Format;
/// # let bytes = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_multisegment_icc.jpg"));
/// let decoded = decode(bytes, Format::Jpeg, 10_000_000)?;
/// assert!(decoded.image.width() > 0);
/// // The profile, reassembled from its two APP2 segments, ready to be
/// // embedded again when the pixels are encoded.
/// let icc = decoded.icc.as_deref().unwrap();
/// assert_eq!(icc.len(), 72592);
/// assert!(icc_fits(icc, &decoded.image));
/// # Ok::<(), phiscrub::image_io::DecodeError>(())
/// ```
pub struct Decoded {
    /// The first picture, in the file's own pixel type and stored
    /// orientation (see [`orient`]).
    pub image: DynamicImage,
    /// The embedded ICC profile, unchecked (see [`icc_fits`]); `None` when the
    /// file has none or the decoder could not read it.
    pub icc: Option<Vec<u8>>,
}

/// Why pixels could not be decoded.
///
/// ```
/// use phiscrub::image_io::{decode, DecodeError};
/// use phiscrub::{Format, Unreadable};
/// # let photo = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos/grace_hopper.jpg"));
/// # let text = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/bad/not-an-image.jpg"));
/// // Not JPEG data at all: unreadable.
/// let e = decode(text, Format::Jpeg, 1_000_000).err().unwrap();
/// assert!(matches!(e, DecodeError::Unreadable(Unreadable::Corrupt(_))));
/// // A 512 × 600 photo over a 100 000-pixel limit: unreadable, with the numbers.
/// let e = decode(photo, Format::Jpeg, 100_000).err().unwrap();
/// assert_eq!(
///     e,
///     DecodeError::Unreadable(Unreadable::TooLarge { width: 512, height: 600, limit: 100_000 })
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Damaged, truncated or too large.
    Unreadable(Unreadable),
    /// A valid file using a feature the decoder lacks (e.g. arithmetic-coded
    /// JPEG).
    Unsupported(String),
}

impl From<Unreadable> for DecodeError {
    fn from(u: Unreadable) -> Self {
        DecodeError::Unreadable(u)
    }
}

/// Decodes the first picture of `bytes`, refusing anything over `max_pixels`.
///
/// ```
/// use phiscrub::image_io::decode;
/// use phiscrub::Format;
/// # let bytes = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_orientation6.jpg"));
/// let decoded = decode(bytes, Format::Jpeg, 1_000_000)?;
/// // The pixels as stored: sideways (the file's EXIF orientation is 6).
/// assert_eq!((decoded.image.width(), decoded.image.height()), (96, 144));
/// // The same file under a smaller limit is refused before decoding.
/// assert!(decode(bytes, Format::Jpeg, 96 * 144 - 1).is_err());
/// # Ok::<(), phiscrub::image_io::DecodeError>(())
/// ```
pub fn decode(bytes: &[u8], format: Format, max_pixels: u64) -> Result<Decoded, DecodeError> {
    decode_within(bytes, format, max_pixels, u64::MAX)
}

/// Bytes one image of this size and pixel type costs the pipeline: the
/// decoded picture, a turned copy and the decoded output in that type, and
/// three 8-bit RGB copies (what the detectors see, the fills, the output's
/// pixels for the last look). Detector inputs are resized and bounded, so
/// they do not count.
///
/// ```
/// use phiscrub::image_io::working_bytes;
/// // A 12-megapixel 8-bit RGB photo: 18 bytes a pixel.
/// assert_eq!(working_bytes(4000, 3000, image::ColorType::Rgb8), 216_000_000);
/// // The same size in 16-bit RGBA costs twice as much.
/// assert_eq!(working_bytes(4000, 3000, image::ColorType::Rgba16), 12_000_000 * 33);
/// ```
pub fn working_bytes(width: u32, height: u32, color: image::ColorType) -> u64 {
    let pixels = width as u64 * height as u64;
    pixels.saturating_mul(3 * color.bytes_per_pixel() as u64 + 9)
}

/// [`decode`], also refusing, before decoding, an image whose
/// [`working_bytes`] exceed `max_memory`: a small file can declare a huge
/// canvas of a wide pixel type.
///
/// ```
/// use phiscrub::image_io::{decode_within, DecodeError};
/// use phiscrub::{Format, Unreadable};
/// # let bytes = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_orientation6.jpg"));
/// assert!(decode_within(bytes, Format::Jpeg, 1_000_000, 1 << 20).is_ok());
/// let e = decode_within(bytes, Format::Jpeg, 1_000_000, 100_000).err().unwrap();
/// assert!(matches!(e, DecodeError::Unreadable(Unreadable::OverMemory(_))), "{e:?}");
/// ```
pub fn decode_within(
    bytes: &[u8],
    format: Format,
    max_pixels: u64,
    max_memory: u64,
) -> Result<Decoded, DecodeError> {
    let Some(codec) = format.image_format() else {
        return match format {
            Format::Avif => decode_avif(bytes, max_pixels, max_memory),
            _ => decode_heif(bytes, max_pixels, max_memory),
        };
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), codec);
    let mut limits = image::Limits::default();
    // Room for the decoded buffer plus the decoder's own working set.
    limits.max_alloc = Some(max_pixels.saturating_mul(16).max(64 << 20));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let (width, height) = decoder.dimensions();
    within_limit(width, height, max_pixels)?;
    let need = working_bytes(width, height, decoder.color_type());
    over_memory(width, height, decoder.color_type(), need, max_memory)?;
    let icc = decoder.icc_profile().ok().flatten();
    let image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    Ok(Decoded { image, icc })
}

fn over_memory(
    width: u32,
    height: u32,
    colour: image::ColorType,
    need: u64,
    max_memory: u64,
) -> Result<(), DecodeError> {
    if need > max_memory {
        return Err(Unreadable::OverMemory(format!(
            "{width}×{height} {colour:?} needs about {} MB, over the limit of {} MB",
            need >> 20,
            max_memory >> 20
        ))
        .into());
    }
    Ok(())
}

/// The primary picture of a HEIC file, upright (libheif applies the file's
/// rotation, mirror and crop), after the same size and memory checks.
fn decode_heif(bytes: &[u8], max_pixels: u64, max_memory: u64) -> Result<Decoded, DecodeError> {
    let file = crate::heif::File::open(bytes).map_err(heif_error)?;
    let c = file.contents().map_err(heif_error)?;
    within_limit(c.width, c.height, max_pixels)?;
    // libheif holds the coded planes and the RGB picture at once.
    let need = working_bytes(c.width, c.height, image::ColorType::Rgba8);
    over_memory(c.width, c.height, image::ColorType::Rgba8, need, max_memory)?;
    let image = file.decode().map_err(heif_error)?;
    Ok(Decoded {
        image,
        icc: file.icc(),
    })
}

/// The primary picture of an AVIF file, after the same size and memory
/// checks (on the size its `ispe` declares), turned upright.
fn decode_avif(bytes: &[u8], max_pixels: u64, max_memory: u64) -> Result<Decoded, DecodeError> {
    let layout = crate::metadata::avif::walk(bytes)
        .map_err(|e| DecodeError::Unreadable(Unreadable::Corrupt(e.to_string())))?;
    let (w, h) = layout
        .size
        .ok_or_else(|| Unreadable::Corrupt("AVIF: the picture declares no size".into()))?;
    within_limit(w, h, max_pixels)?;
    let need = working_bytes(w, h, image::ColorType::Rgba8);
    over_memory(w, h, image::ColorType::Rgb8, need, max_memory)?;
    let img = crate::avif::decode(bytes).map_err(|e| {
        if e.contains("built without") || e.contains("loading libavif") {
            DecodeError::Unsupported(e)
        } else {
            Unreadable::Corrupt(e).into()
        }
    })?;
    if img.dimensions() != (w, h) {
        return Err(Unreadable::Corrupt(format!(
            "AVIF: the picture decodes to {}×{}, not the {w}×{h} it declares",
            img.width(),
            img.height()
        ))
        .into());
    }
    Ok(Decoded {
        image: DynamicImage::ImageRgb8(crate::avif::upright(img, layout.rotation, layout.mirror)),
        icc: crate::metadata::avif::icc(bytes),
    })
}

/// libheif's errors: a build without it, or a file it cannot decode (an
/// unsupported codec, damage).
pub(crate) fn heif_error(e: String) -> DecodeError {
    if e.contains("built without") || e.contains("loading libheif") {
        DecodeError::Unsupported(e)
    } else if e.contains("Unsupported")
        || e.contains("unsupported")
        || e.contains("No decoding plugin")
    {
        DecodeError::Unsupported(format!("libheif cannot decode it: {e}"))
    } else {
        Unreadable::Corrupt(format!("libheif: {e}")).into()
    }
}

/// The embedded ICC profile, read from the headers without decoding pixels.
pub(crate) fn icc(bytes: &[u8], format: Format) -> Option<Vec<u8>> {
    let Some(codec) = format.image_format() else {
        return match format {
            Format::Avif => crate::metadata::avif::icc(bytes),
            _ => crate::heif::File::open(bytes).ok()?.icc(),
        };
    };
    let reader = ImageReader::with_format(Cursor::new(bytes), codec);
    reader.into_decoder().ok()?.icc_profile().ok().flatten()
}

/// Reads the picture's size from its headers alone, refusing anything over
/// `max_pixels`. For paths that keep the coded data and never decode it.
///
/// ```
/// use phiscrub::image_io::{dimensions, DecodeError};
/// use phiscrub::{Format, Unreadable};
/// # let photo = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos/grace_hopper.jpg"));
/// # let bomb = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/bad_png_huge_dimensions.png"));
/// assert_eq!(dimensions(photo, Format::Jpeg, 1_000_000)?, (512, 600));
/// // A PNG whose header claims 100 000 × 100 000 is refused without
/// // allocating anything.
/// assert!(matches!(
///     dimensions(bomb, Format::Png, 120_000_000),
///     Err(DecodeError::Unreadable(Unreadable::TooLarge { width: 100_000, height: 100_000, .. }))
/// ));
/// # Ok::<(), DecodeError>(())
/// ```
pub fn dimensions(
    bytes: &[u8],
    format: Format,
    max_pixels: u64,
) -> Result<(u32, u32), DecodeError> {
    let Some(codec) = format.image_format() else {
        let (w, h) = if format == Format::Avif {
            let layout = crate::metadata::avif::walk(bytes)
                .map_err(|e| DecodeError::Unreadable(Unreadable::Corrupt(e.to_string())))?;
            let (w, h) = layout
                .size
                .ok_or_else(|| Unreadable::Corrupt("AVIF: no size".into()))?;
            // Sizes as shown: a quarter turn swaps them.
            if layout.rotation % 2 == 1 {
                (h, w)
            } else {
                (w, h)
            }
        } else {
            let file = crate::heif::File::open(bytes).map_err(heif_error)?;
            let c = file.contents().map_err(heif_error)?;
            (c.width, c.height)
        };
        within_limit(w, h, max_pixels)?;
        return Ok((w, h));
    };
    let reader = ImageReader::with_format(Cursor::new(bytes), codec);
    let decoder = reader.into_decoder().map_err(decode_error)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(Unreadable::Corrupt(format!("the picture is {width}×{height}")).into());
    }
    within_limit(width, height, max_pixels)?;
    Ok((width, height))
}

fn within_limit(width: u32, height: u32, max_pixels: u64) -> Result<(), DecodeError> {
    if width as u64 * height as u64 > max_pixels {
        return Err(Unreadable::TooLarge {
            width,
            height,
            limit: max_pixels,
        }
        .into());
    }
    Ok(())
}

/// Rotates and flips pixels as EXIF orientation `value` (1–8) says, so that
/// they are upright. Other values leave the pixels alone.
///
/// ```
/// use phiscrub::image_io::{decode, orient};
/// use phiscrub::Format;
/// # let bytes = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_orientation6.jpg"));
/// let orientation = phiscrub::metadata::orientation(bytes).unwrap();
/// assert_eq!(orientation, 6);
/// let mut image = decode(bytes, Format::Jpeg, 1_000_000)?.image;
/// orient(&mut image, orientation);
/// // Upright: landscape, with the file's red marker in the top-left corner.
/// assert_eq!((image.width(), image.height()), (144, 96));
/// let [r, g, b] = image.to_rgb8().get_pixel(4, 4).0;
/// assert!(r > 200 && g < 80 && b < 80, "{r} {g} {b}");
/// // Values outside 1–8 change nothing.
/// orient(&mut image, 0);
/// assert_eq!((image.width(), image.height()), (144, 96));
/// # Ok::<(), phiscrub::image_io::DecodeError>(())
/// ```
pub fn orient(image: &mut DynamicImage, value: u16) {
    if let Some(o) = u8::try_from(value)
        .ok()
        .and_then(image::metadata::Orientation::from_exif)
    {
        image.apply_orientation(o);
    }
}

fn decode_error(e: image::ImageError) -> DecodeError {
    match e {
        image::ImageError::Limits(l) => Unreadable::OverMemory(one_line(&l.to_string())).into(),
        image::ImageError::Unsupported(u) => DecodeError::Unsupported(one_line(&u.to_string())),
        other => {
            let msg = one_line(&other.to_string());
            // zune-jpeg reports unimplemented coding modes as format errors.
            if msg.contains("not supported") {
                DecodeError::Unsupported(msg)
            } else {
                Unreadable::Corrupt(msg).into()
            }
        }
    }
}

/// Decoder messages sometimes span lines; a per-file error must stay on one.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// True when `icc` is a well-formed ICC profile for pixels like `image`'s:
/// its header is sane and its colour space is RGB for colour pixels or GRAY
/// for grey ones. A CMYK profile left on pixels converted to RGB would
/// misrender them, and a malformed blob is not a profile at all.
///
/// ```
/// use image::DynamicImage;
/// use phiscrub::image_io::{decode, icc_fits};
/// use phiscrub::Format;
/// # let bytes = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_multisegment_icc.jpg"));
/// let decoded = decode(bytes, Format::Jpeg, 10_000_000)?;
/// let srgb = decoded.icc.unwrap();
/// // An RGB profile fits colour pixels...
/// assert!(icc_fits(&srgb, &DynamicImage::new_rgb8(4, 4)));
/// // ...but not grey ones, and a truncated profile fits nothing.
/// assert!(!icc_fits(&srgb, &DynamicImage::new_luma8(4, 4)));
/// assert!(!icc_fits(&srgb[..1000], &DynamicImage::new_rgb8(4, 4)));
/// # Ok::<(), phiscrub::image_io::DecodeError>(())
/// ```
pub fn icc_fits(icc: &[u8], image: &DynamicImage) -> bool {
    if icc.len() < 132 || icc.len() > 4 << 20 {
        return false;
    }
    let declared = u32::from_be_bytes([icc[0], icc[1], icc[2], icc[3]]) as usize;
    if declared != icc.len() || &icc[36..40] != b"acsp" {
        return false;
    }
    let grey = matches!(
        image,
        DynamicImage::ImageLuma8(_)
            | DynamicImage::ImageLumaA8(_)
            | DynamicImage::ImageLuma16(_)
            | DynamicImage::ImageLumaA16(_)
    );
    &icc[16..20] == if grey { b"GRAY" } else { b"RGB " }
}

/// How to encode.
///
/// ```
/// use image::DynamicImage;
/// use phiscrub::image_io::{decode, encode, EncodeOptions};
/// use phiscrub::Format;
/// # let bytes = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_multisegment_icc.jpg"));
/// let source = decode(bytes, Format::Jpeg, 10_000_000).unwrap();
/// let opts = EncodeOptions { jpeg_quality: 90, icc: source.icc.clone() };
/// let jpeg = encode(&source.image, Format::Jpeg, &opts)?;
/// // The profile travels with the pixels; nothing else does.
/// assert_eq!(decode(&jpeg, Format::Jpeg, 10_000_000).unwrap().icc, source.icc);
/// // Without one, none is written.
/// let plain = encode(&source.image, Format::Jpeg, &EncodeOptions { icc: None, ..opts })?;
/// assert!(decode(&plain, Format::Jpeg, 10_000_000).unwrap().icc.is_none());
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct EncodeOptions {
    /// JPEG quality, 1–100.
    pub jpeg_quality: u8,
    /// A colour profile to embed (ignored for GIF, which cannot carry one).
    pub icc: Option<Vec<u8>>,
}

/// Encodes pixels only: no EXIF, XMP, comments, text chunks or timestamps are
/// written, because none are ever handed to the encoder.
///
/// ```
/// use image::{DynamicImage, Rgba, RgbaImage};
/// use phiscrub::image_io::{decode, encode, EncodeOptions};
/// use phiscrub::Format;
/// let pixels = DynamicImage::ImageRgba8(RgbaImage::from_fn(32, 16, |x, y| {
///     Rgba([x as u8 * 8, y as u8 * 16, 128, 255 - x as u8])
/// }));
/// let opts = EncodeOptions { jpeg_quality: 95, icc: None };
/// // PNG keeps the pixels exactly, alpha included...
/// let png = encode(&pixels, Format::Png, &opts)?;
/// assert_eq!(decode(&png, Format::Png, 10_000).unwrap().image, pixels);
/// // ...and carries nothing but them.
/// let found = phiscrub::metadata::examine(&png, Format::Png).unwrap();
/// assert!(found.hazards.is_empty() && !found.has_icc);
/// // JPEG has no alpha: the pixels are written as RGB.
/// let jpeg = encode(&pixels, Format::Jpeg, &opts)?;
/// assert!(!decode(&jpeg, Format::Jpeg, 10_000).unwrap().image.color().has_alpha());
/// # Ok::<(), String>(())
/// ```
pub fn encode(
    image: &DynamicImage,
    format: Format,
    opts: &EncodeOptions,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let err = |e: image::ImageError| e.to_string();
    match format {
        Format::Jpeg => {
            // JPEG holds 8-bit grey or colour, without alpha.
            let converted;
            let img = match image {
                DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) => image,
                DynamicImage::ImageLuma16(_)
                | DynamicImage::ImageLumaA8(_)
                | DynamicImage::ImageLumaA16(_) => {
                    converted = DynamicImage::ImageLuma8(image.to_luma8());
                    &converted
                }
                _ => {
                    converted = DynamicImage::ImageRgb8(image.to_rgb8());
                    &converted
                }
            };
            let mut enc =
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, opts.jpeg_quality);
            if let Some(icc) = &opts.icc {
                enc.set_icc_profile(icc.clone())
                    .map_err(|e| e.to_string())?;
            }
            img.write_with_encoder(enc).map_err(err)?;
        }
        Format::Png => {
            let mut enc = image::codecs::png::PngEncoder::new_with_quality(
                &mut out,
                image::codecs::png::CompressionType::Default,
                image::codecs::png::FilterType::Adaptive,
            );
            if let Some(icc) = &opts.icc {
                enc.set_icc_profile(icc.clone())
                    .map_err(|e| e.to_string())?;
            }
            let converted;
            let img = match image {
                DynamicImage::ImageRgb32F(_) => {
                    converted = DynamicImage::ImageRgb16(image.to_rgb16());
                    &converted
                }
                DynamicImage::ImageRgba32F(_) => {
                    converted = DynamicImage::ImageRgba16(image.to_rgba16());
                    &converted
                }
                _ => image,
            };
            img.write_with_encoder(enc).map_err(err)?;
        }
        Format::Webp => {
            // image-webp encodes losslessly only; see README.
            let mut enc = image::codecs::webp::WebPEncoder::new_lossless(&mut out);
            if let Some(icc) = &opts.icc {
                enc.set_icc_profile(icc.clone())
                    .map_err(|e| e.to_string())?;
            }
            image.write_with_encoder(enc).map_err(err)?;
        }
        Format::Tiff => {
            let mut cursor = Cursor::new(&mut out);
            let mut enc = image::codecs::tiff::TiffEncoder::new(&mut cursor);
            if let Some(icc) = &opts.icc {
                enc.set_icc_profile(icc.clone())
                    .map_err(|e| e.to_string())?;
            }
            let converted;
            let img = match image {
                DynamicImage::ImageLumaA8(_) => {
                    converted = DynamicImage::ImageRgba8(image.to_rgba8());
                    &converted
                }
                DynamicImage::ImageLumaA16(_) => {
                    converted = DynamicImage::ImageRgba16(image.to_rgba16());
                    &converted
                }
                _ => image,
            };
            img.write_with_encoder(enc).map_err(err)?;
        }
        Format::Gif => {
            let rgba = image.to_rgba8();
            let mut enc = image::codecs::gif::GifEncoder::new_with_speed(&mut out, 10);
            enc.encode(
                rgba.as_raw(),
                rgba.width(),
                rgba.height(),
                image::ExtendedColorType::Rgba8,
            )
            .map_err(err)?;
        }
        Format::Heic | Format::Bmp | Format::Avif => {
            return Err(format!("phiscrub reads {format} but does not write it"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ScrubError;
    use image::error::{LimitError, LimitErrorKind};

    #[test]
    fn a_decoder_out_of_memory_is_too_large_not_damage() {
        let limit =
            image::ImageError::Limits(LimitError::from_kind(LimitErrorKind::InsufficientMemory));
        let DecodeError::Unreadable(u) = decode_error(limit) else {
            panic!("a memory limit is not an unsupported format");
        };
        assert!(matches!(u, Unreadable::OverMemory(_)), "{u:?}");
        let message = u.to_string();
        let e = ScrubError::Unreadable(u);
        assert_eq!(e.reason_code(), "too_large");
        // The advice is to scale the picture down, not to export it again.
        assert!(message.contains("scale it down"), "{message}");
        assert!(!message.contains("damaged"), "{message}");
    }
}
