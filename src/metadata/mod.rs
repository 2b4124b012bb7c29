//! What an image file carries besides its pixels, container by container.
//!
//! Each container module walks its file's structure without decoding pixels:
//! it validates lengths and checksums (a damaged file is refused before any
//! decoder sees it), counts the pictures inside (frames, pages, appended
//! images), and lists the identifying metadata ([`Hazard`]). Nothing here
//! writes an output: outputs are encoded from pixels, or rebuilt from a
//! JPEG's coefficients (`rebuild.rs`).

pub mod avif;
pub mod bmp;
pub mod exif;
pub mod gif;
pub mod heif;
pub mod jpeg;
pub mod png;
pub mod tiff;
pub mod webp;
mod xmp;

use crate::format::Format;
use serde::Serialize;
use std::fmt;

/// A kind of identifying metadata, as `phiscrub inspect` groups them.
///
/// ```
/// use phiscrub::{Category, Config, Scrubber};
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_camera_everything.jpg");
/// let scrubber = Scrubber::new(Config::default())?;
/// let safe = scrubber.scrub(&std::fs::read(path)?)?;
/// // What the input carried, all of it removed.
/// assert!(safe.removed.contains(&Category::Gps));
/// assert!(scrubber.check(&safe.bytes)?.metadata.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// A position: EXIF GPS, XMP GPS, GeoTIFF keys.
    Gps,
    /// Capture, modification or digitisation times.
    Dates,
    /// Camera or phone make, model, serial numbers, unique image ids.
    Device,
    /// Owner, artist, author, copyright holder.
    Owner,
    /// Software and host names that processed the file.
    Software,
    /// A smaller copy of the picture (EXIF, JFIF, Photoshop, PNG preview).
    Thumbnail,
    /// An XMP packet.
    Xmp,
    /// IPTC or Photoshop resource blocks.
    Iptc,
    /// Comments, descriptions, titles, keywords, text chunks.
    Comment,
    /// Maker-private EXIF data (serials, owner names, settings).
    // The same name as `as_str`, so JSON and the tables agree.
    #[serde(rename = "makernotes")]
    MakerNotes,
    /// Bytes after the end of the image.
    TrailingData,
    /// More than one picture in the file.
    ExtraFrames,
    /// A map derived from the picture and stored beside it: an HDR gain map,
    /// a depth or confidence map, a portrait matte. Dropped; the output holds
    /// the scrubbed picture only.
    DerivedMap,
    /// Any other non-pixel data: unknown chunks, segments or extensions.
    Other,
}

impl Category {
    /// The name used in reports and `inspect`'s tables.
    ///
    /// ```
    /// assert_eq!(phiscrub::Category::TrailingData.as_str(), "trailing_data");
    /// ```
    pub fn as_str(&self) -> &'static str {
        match self {
            Category::Gps => "gps",
            Category::Dates => "dates",
            Category::Device => "device",
            Category::Owner => "owner",
            Category::Software => "software",
            Category::Thumbnail => "thumbnail",
            Category::Xmp => "xmp",
            Category::Iptc => "iptc",
            Category::Comment => "comment",
            Category::MakerNotes => "makernotes",
            Category::TrailingData => "trailing_data",
            Category::ExtraFrames => "extra_frames",
            Category::DerivedMap => "derived_map",
            Category::Other => "other",
        }
    }
}

/// One piece of identifying metadata found in a file.
///
/// ```
/// use phiscrub::metadata::examine;
/// use phiscrub::{Category, Format};
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_camera_everything.jpg");
/// let found = examine(&std::fs::read(path)?, Format::Jpeg)?;
/// let gps = found.hazards.iter().find(|h| h.category == Category::Gps).unwrap();
/// println!("{}", gps.detail);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hazard {
    /// The kind it is reported and counted as.
    pub category: Category,
    /// Where it is and, for a few categories, what it says (GPS coordinates,
    /// dates, device names). Shown to the file's owner by `inspect`; never
    /// written to reports.
    pub detail: String,
}

impl Hazard {
    pub(crate) fn new(category: Category, detail: impl Into<String>) -> Hazard {
        Hazard {
            category,
            detail: detail.into(),
        }
    }
}

/// What the structure walk of one file found.
///
/// ```
/// use phiscrub::metadata::examine;
/// use phiscrub::Format;
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_mpf_secondary.jpg");
/// let found = examine(&std::fs::read(path)?, Format::Jpeg)?;
/// assert!(found.frames > 1, "MPF holds a second picture");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Container {
    /// The container that was walked: the one [`examine`] was asked for.
    pub format: Format,
    /// Pictures in the file: frames, pages, MPF or appended images.
    pub frames: usize,
    /// Identifying metadata, in file order.
    pub hazards: Vec<Hazard>,
    /// An embedded colour profile is present (kept by default, not a hazard).
    pub has_icc: bool,
    /// EXIF orientation (1–8), when the file has one.
    pub orientation: Option<u16>,
}

/// Why a file's structure cannot be trusted.
///
/// ```
/// use phiscrub::metadata::{examine, ContainerError};
/// use phiscrub::Format;
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/bad_png_crc.png");
/// let e = examine(&std::fs::read(path)?, Format::Png).unwrap_err();
/// assert!(matches!(e, ContainerError::BadChecksum(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContainerError {
    /// The file ends inside a structure.
    Truncated(String),
    /// A length, offset or field is impossible.
    Malformed(String),
    /// A stored checksum does not match the data.
    BadChecksum(String),
}

impl fmt::Display for ContainerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContainerError::Truncated(what) => write!(f, "the file ends {what}"),
            ContainerError::Malformed(what) => write!(f, "{what}"),
            ContainerError::BadChecksum(what) => write!(f, "checksum mismatch in {what}"),
        }
    }
}

impl std::error::Error for ContainerError {}

/// Walks the structure of `bytes`, a file in `format`.
///
/// ```
/// use phiscrub::metadata::examine;
/// use phiscrub::Format;
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_orientation6.jpg");
/// assert_eq!(examine(&std::fs::read(path)?, Format::Jpeg)?.orientation, Some(6));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn examine(bytes: &[u8], format: Format) -> Result<Container, ContainerError> {
    match format {
        Format::Jpeg => jpeg::examine(bytes),
        Format::Png => png::examine(bytes),
        Format::Webp => webp::examine(bytes),
        Format::Tiff => tiff::examine(bytes),
        Format::Gif => gif::examine(bytes),
        Format::Heic => heif::examine(bytes),
        Format::Bmp => bmp::examine(bytes),
        Format::Avif => avif::examine(bytes),
    }
}

/// Reads the EXIF orientation from a file's bytes, whatever the container.
/// `None` when there is no EXIF orientation or it cannot be read.
///
/// ```
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_orientation6.jpg");
/// assert_eq!(phiscrub::metadata::orientation(&std::fs::read(path)?), Some(6));
/// assert_eq!(phiscrub::metadata::orientation(b"not an image"), None);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn orientation(bytes: &[u8]) -> Option<u16> {
    let format = Format::sniff(bytes)?;
    examine(bytes, format).ok()?.orientation
}

/// True when an independent EXIF reader (kamadak-exif) finds an EXIF block
/// in a JPEG, PNG or WebP file, or cannot tell (a damaged block counts as
/// present). TIFF files are EXIF-structured throughout and GIF cannot carry
/// EXIF, so for them this is always false: their tags are judged by
/// [`examine`].
///
/// ```
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_camera_everything.jpg");
/// let bytes = std::fs::read(path)?;
/// assert!(phiscrub::metadata::has_exif(&bytes));
/// let scrubber = phiscrub::Scrubber::new(phiscrub::Config::default()).unwrap();
/// assert!(!phiscrub::metadata::has_exif(&scrubber.scrub(&bytes).unwrap().bytes));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn has_exif(bytes: &[u8]) -> bool {
    if !matches!(
        Format::sniff(bytes),
        Some(Format::Jpeg | Format::Png | Format::Webp)
    ) {
        return false;
    }
    !matches!(
        ::exif::Reader::new().read_from_container(&mut std::io::Cursor::new(bytes)),
        Err(::exif::Error::NotFound(_))
    )
}

/// The hazards of one HEIF-family metadata item (HEIC through libheif, AVIF
/// through `avif::walk`): an `Exif` item (a 4-byte offset to its TIFF
/// header, then the block), an XMP packet in a `mime` item, or anything
/// else, listed by its type.
pub(crate) fn heif_item_hazards(kind: &[u8], content_type: &str, data: &[u8]) -> Vec<Hazard> {
    match kind {
        b"Exif" => {
            let skip = be32(data, 0).unwrap_or(0) as usize;
            let tiff = data.get(4 + skip..).unwrap_or_default();
            exif::analyse(tiff, false, "EXIF item").hazards
        }
        b"mime"
            if content_type.contains("xmp")
                || data.windows(9).any(|w| w == b"<x:xmpmet")
                || data.starts_with(b"<?xpacket") =>
        {
            xmp::hazards(data, "an XMP item")
        }
        b"mime" => vec![Hazard::new(
            Category::Other,
            format!(
                "a \"{}\" item ({} bytes)",
                exif::short(content_type),
                data.len()
            ),
        )],
        other => vec![Hazard::new(
            Category::Other,
            format!(
                "a \"{}\" metadata item ({} bytes)",
                printable(other),
                data.len()
            ),
        )],
    }
}

/// Bounds-checked little helpers shared by the walkers.
pub(crate) fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

pub(crate) fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

pub(crate) fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// A short printable rendering of an identifier found in a file.
pub(crate) fn printable(id: &[u8]) -> String {
    id.iter()
        .take(24)
        .map(|&c| {
            if (0x21..0x7f).contains(&c) {
                c as char
            } else {
                '_'
            }
        })
        .collect()
}

/// Counts trailing bytes that are not zero padding.
pub(crate) fn nonzero_trailing(rest: &[u8]) -> usize {
    rest.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1)
}
