//! `phiscrub inspect`: what identifying metadata a file carries, without
//! changing anything. It shows the values (GPS coordinates, dates, device
//! names) to the person who owns the file; reports never contain them.

use crate::format::{self, Format, Sniffed};
use crate::metadata::{self, Category, Hazard};
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
    /// Width in pixels as stored, before EXIF orientation; `None` for an
    /// unsupported container or a header that does not read.
    pub width: Option<u32>,
    /// Height in pixels as stored; `None` when `width` is.
    pub height: Option<u32>,
    /// Pictures in the file (frames, pages, MPF or appended images); 1 for
    /// containers phiscrub does not open (JPEG XL, PSD, ...), which are not
    /// counted.
    pub frames: usize,
    /// An embedded ICC colour profile is present (kept by default: not a
    /// hazard). Always `false` for an unsupported container (not walked).
    pub icc_profile: bool,
    /// The EXIF orientation (1–8) that turns `width` × `height` upright;
    /// `None` when the file has none (or an invalid one), and for an
    /// unsupported container.
    pub orientation: Option<u16>,
    /// The identifying metadata found, values included in `detail`; for an
    /// unsupported container, only what its EXIF holds.
    pub hazards: Vec<Hazard>,
    /// Set when the file could only be partly examined.
    pub note: Option<String>,
}

impl Inspection {
    /// The distinct categories found, in a stable order.
    ///
    /// ```
    /// use phiscrub::inspect::inspect;
    /// use phiscrub::Category;
    /// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_camera_everything.jpg");
    /// let found = inspect(&std::fs::read(path)?).unwrap();
    /// let cats = found.categories();
    /// // One entry per category, however many hazards share it (this file
    /// // has several comments), sorted.
    /// assert!(found.hazards.iter().filter(|h| h.category == Category::Comment).count() > 1);
    /// assert_eq!(cats.iter().filter(|c| **c == Category::Comment).count(), 1);
    /// assert!(cats.windows(2).all(|w| w[0] < w[1]));
    /// assert!(cats.contains(&Category::Gps));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn categories(&self) -> Vec<Category> {
        let mut c: Vec<Category> = self.hazards.iter().map(|h| h.category).collect();
        c.sort();
        c.dedup();
        c
    }
}

/// Why a file could not be inspected.
///
/// ```
/// use phiscrub::inspect::{inspect, InspectError};
/// assert_eq!(inspect(b"Patient: J. Doe").unwrap_err(), InspectError::NotAnImage);
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/bad_png_chunk_overrun.png");
/// let damaged = inspect(&std::fs::read(path)?).unwrap_err();
/// assert!(matches!(damaged, InspectError::Damaged(_)), "{damaged:?}");
/// assert!(damaged.to_string().starts_with("damaged: "));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InspectError {
    /// The bytes are not an image container phiscrub recognises (by content).
    NotAnImage,
    /// A supported container whose structure is broken (truncated, impossible
    /// length, bad checksum); the text says where.
    Damaged(String),
    /// A deck or document: `check` looks into those, `inspect` reads
    /// pictures only.
    Document(crate::document::Kind),
}

impl std::fmt::Display for InspectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InspectError::NotAnImage => f.write_str("not an image phiscrub recognises"),
            InspectError::Damaged(d) => write!(f, "damaged: {d}"),
            InspectError::Document(k) => write!(
                f,
                "a {k}: inspect reads pictures only; run `phiscrub check` on it to see what it would leak"
            ),
        }
    }
}

/// Examines a file's bytes.
///
/// ```
/// use phiscrub::inspect::inspect;
/// use phiscrub::Format;
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_orientation6.jpg");
/// let found = inspect(&std::fs::read(path)?).unwrap();
/// assert_eq!(found.format, Some(Format::Jpeg));
/// // The size as stored, and the EXIF orientation that turns it upright.
/// assert_eq!((found.width, found.height), (Some(96), Some(144)));
/// assert_eq!(found.orientation, Some(6));
/// // A PNG made in memory carries nothing but its pixels.
/// let mut png = Vec::new();
/// image::RgbImage::new(4, 4).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
/// let plain = inspect(&png).unwrap();
/// assert_eq!((plain.width, plain.height, plain.frames), (Some(4), Some(4), 1));
/// assert!(plain.hazards.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn inspect(bytes: &[u8]) -> Result<Inspection, InspectError> {
    match format::sniff(bytes) {
        Sniffed::Unknown => Err(match crate::document::sniff(bytes) {
            Some(kind) => InspectError::Document(kind),
            None => InspectError::NotAnImage,
        }),
        Sniffed::Unsupported(name) => Ok(unsupported(bytes, name)),
        Sniffed::Supported(f) => {
            let c =
                metadata::examine(bytes, f).map_err(|e| InspectError::Damaged(e.to_string()))?;
            let dims = crate::image_io::dimensions(bytes, f, u64::MAX).ok();
            let mut hazards = c.hazards;
            // Text inside a profile (its description, copyright, device
            // maker and model) is free text like any comment; scrub never
            // writes the input's profile.
            if c.has_icc {
                if let Some(icc) = crate::image_io::icc(bytes, f) {
                    for (what, text) in crate::colour::profile_text(&icc) {
                        hazards.push(Hazard::new(
                            Category::Comment,
                            format!("ICC profile {what}: {text}"),
                        ));
                    }
                }
            }
            Ok(Inspection {
                format: Some(f),
                container: f.to_string(),
                width: dims.map(|d| d.0),
                height: dims.map(|d| d.1),
                frames: c.frames,
                icc_profile: c.has_icc,
                orientation: c.orientation,
                hazards,
                note: None,
            })
        }
    }
}

/// JPEG XL and others: kamadak-exif can still read their EXIF, which is
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
