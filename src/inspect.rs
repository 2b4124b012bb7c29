//! `phiscrub inspect`: what identifying metadata a file carries, without
//! changing anything. It shows the values (GPS coordinates, dates, device
//! names) to the person who owns the file; reports never contain them.

use crate::format::{self, Format, Sniffed};
use crate::metadata::{self, Category, Hazard};
use image::ImageDecoder;
use serde::Serialize;

/// What one file carries besides its pixels.
///
/// ```
/// let png = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photos/chelsea.png")).unwrap();
/// let found = phiscrub::inspect::inspect(&png).unwrap();
/// assert_eq!(found.format, Some(phiscrub::Format::Png));
/// // The sample photo carries an XMP packet from the editor that saved it.
/// assert!(found.categories().contains(&phiscrub::Category::Xmp));
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct Inspection {
    /// `None` for a recognised but unsupported container (see `container`).
    pub format: Option<Format>,
    /// The container's name.
    pub container: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Pictures in the file (frames, pages, MPF or appended images).
    pub frames: usize,
    pub icc_profile: bool,
    pub orientation: Option<u16>,
    pub hazards: Vec<Hazard>,
    /// Set when the file could only be partly examined.
    pub note: Option<String>,
}

impl Inspection {
    /// The distinct categories found, in a stable order.
    pub fn categories(&self) -> Vec<Category> {
        let mut c: Vec<Category> = self.hazards.iter().map(|h| h.category).collect();
        c.sort();
        c.dedup();
        c
    }
}

/// Why a file could not be inspected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InspectError {
    NotAnImage,
    Damaged(String),
}

impl std::fmt::Display for InspectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InspectError::NotAnImage => f.write_str("not an image phiscrub recognises"),
            InspectError::Damaged(d) => write!(f, "damaged: {d}"),
        }
    }
}

/// Examines a file's bytes.
pub fn inspect(bytes: &[u8]) -> Result<Inspection, InspectError> {
    match format::sniff(bytes) {
        Sniffed::Unknown => Err(InspectError::NotAnImage),
        Sniffed::Unsupported(name) => Ok(unsupported(bytes, name)),
        Sniffed::Supported(f) => {
            let c =
                metadata::examine(bytes, f).map_err(|e| InspectError::Damaged(e.to_string()))?;
            let dims =
                image::ImageReader::with_format(std::io::Cursor::new(bytes), f.image_format())
                    .into_decoder()
                    .ok()
                    .map(|d| d.dimensions());
            Ok(Inspection {
                format: Some(f),
                container: f.to_string(),
                width: dims.map(|d| d.0),
                height: dims.map(|d| d.1),
                frames: c.frames,
                icc_profile: c.has_icc,
                orientation: c.orientation,
                hazards: c.hazards,
                note: None,
            })
        }
    }
}

/// HEIC, AVIF and others: kamadak-exif can still read their EXIF, which is
/// most of what a clinician needs to see.
fn unsupported(bytes: &[u8], name: &str) -> Inspection {
    let mut hazards: Vec<Hazard> = Vec::new();
    if let Ok(exif) = exif::Reader::new().read_from_container(&mut std::io::Cursor::new(bytes)) {
        let buf = exif.buf();
        hazards = metadata::exif::analyse(buf, false, "EXIF").hazards;
    }
    Inspection {
        format: None,
        container: name.to_string(),
        width: None,
        height: None,
        frames: 1,
        icc_profile: false,
        orientation: None,
        hazards,
        note: Some(format!(
            "{name} is not supported: only its EXIF was read; XMP, auxiliary images and other items are not listed"
        )),
    }
}
