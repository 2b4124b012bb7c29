//! Reading what a file's metadata says, with kamadak-exif. phiscrub never
//! copies metadata into its output; it reads it only to apply the orientation
//! and to verify that an output carries none.

pub mod jpeg;

use std::io::Cursor;

/// Outcome of looking for the EXIF orientation tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Orientation {
    /// No EXIF, or EXIF without an orientation tag: pixels are upright as stored.
    Absent,
    /// The EXIF orientation value, 1–8.
    Exif(u16),
    /// EXIF is present but could not be parsed.
    Unreadable,
}

/// Reads the EXIF orientation from a JPEG or PNG file's bytes.
pub fn orientation(bytes: &[u8]) -> Orientation {
    match exif::Reader::new().read_from_container(&mut Cursor::new(bytes)) {
        Ok(exif) => exif
            .get_field(exif::Tag::Orientation, exif::In::PRIMARY)
            .and_then(|f| f.value.get_uint(0))
            .filter(|v| (1..=8).contains(v))
            .map(|v| Orientation::Exif(v as u16))
            .unwrap_or(Orientation::Absent),
        Err(exif::Error::NotFound(_)) => Orientation::Absent,
        Err(_) => Orientation::Unreadable,
    }
}

/// True when an independent EXIF reader finds any EXIF block in `bytes`.
pub fn has_exif(bytes: &[u8]) -> bool {
    !matches!(
        exif::Reader::new().read_from_container(&mut Cursor::new(bytes)),
        Err(exif::Error::NotFound(_))
    )
}
