//! BMP: a file header, an info header, an optional palette, the pixel rows.
//! It carries no metadata fields; what can hide in it is bytes outside the
//! structure (between the headers and the rows, or after the rows), which a
//! re-encode from pixels leaves behind.

use super::{Category, Container, ContainerError, Hazard};
use crate::format::Format;

/// Checks a BMP's sizes and lists bytes that lie outside its structure.
///
/// ```
/// use phiscrub::metadata::bmp;
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/containers/bmp_24bit.bmp");
/// let bytes = std::fs::read(path)?;
/// assert!(bmp::examine(&bytes)?.hazards.is_empty());
/// let mut tail = bytes.clone();
/// tail.extend_from_slice(b"Dupont Jean 1954-03-02");
/// assert_eq!(bmp::examine(&tail)?.hazards.len(), 1);
/// // Bytes between the headers and the rows (the offset moved past them).
/// let at = u32::from_le_bytes(bytes[10..14].try_into()?) as usize;
/// let mut gap = bytes[..at].to_vec();
/// gap.extend_from_slice(b"Dupont Jean");
/// gap.extend_from_slice(&bytes[at..]);
/// gap[10..14].copy_from_slice(&((at + 11) as u32).to_le_bytes());
/// let found = bmp::examine(&gap)?;
/// assert!(format!("{:?}", found.hazards).contains("between the headers"), "{:?}", found.hazards);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn examine(bytes: &[u8]) -> Result<Container, ContainerError> {
    let le16 = |at: usize| {
        bytes
            .get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let (Some(data_at), Some(info_len)) = (super::le32(bytes, 10), super::le32(bytes, 14)) else {
        return Err(ContainerError::Truncated("inside the BMP headers".into()));
    };
    if !bytes.starts_with(b"BM") || info_len < 12 {
        return Err(ContainerError::Malformed("not a BMP file".into()));
    }
    let headers_end = 14 + info_len as usize;
    let data_at = data_at as usize;
    if headers_end > bytes.len() || data_at > bytes.len() || data_at < headers_end {
        return Err(ContainerError::Truncated(
            "before the pixel rows its header announces".into(),
        ));
    }
    let mut hazards = Vec::new();
    // Rows of an uncompressed picture: their size is known, so anything after
    // them is hidden. Compressed (RLE) rows end where their data says.
    let (w, h, bpp, compression) = if info_len == 12 {
        (
            le16(18).unwrap_or(0) as i64,
            le16(20).unwrap_or(0) as i64,
            le16(24).unwrap_or(0) as u64,
            0,
        )
    } else {
        (
            super::le32(bytes, 18).unwrap_or(0) as i32 as i64,
            super::le32(bytes, 22).unwrap_or(0) as i32 as i64,
            le16(28).unwrap_or(0) as u64,
            super::le32(bytes, 30).unwrap_or(0),
        )
    };
    if compression == 0 || compression == 3 {
        let row = (w.unsigned_abs() * bpp).div_ceil(32) * 4;
        let end = data_at as u64 + row * h.unsigned_abs();
        if end > bytes.len() as u64 {
            return Err(ContainerError::Truncated("inside the pixel rows".into()));
        }
        let trailing = super::nonzero_trailing(&bytes[end as usize..]);
        if trailing > 0 {
            hazards.push(Hazard::new(
                Category::TrailingData,
                format!("{trailing} bytes after the pixel rows"),
            ));
        }
    }
    // An ICC profile embedded in a V5 header (colour space "MBED"), placed
    // by its offset from the info header.
    let has_icc = info_len >= 124 && bytes.get(70..74) == Some(b"DEBM");
    let profile = if has_icc {
        let at = super::le32(bytes, 14 + 112).unwrap_or(0) as usize + 14;
        at..at + super::le32(bytes, 14 + 116).unwrap_or(0) as usize
    } else {
        0..0
    };
    // Between the headers (with their colour masks and palette) and the
    // rows: writers may pad there, but nothing belongs there.
    let masks = match (info_len, compression) {
        (40, 3) => 12,
        (40, 6) => 16,
        _ => 0,
    };
    let declared = if info_len >= 40 {
        super::le32(bytes, 46).unwrap_or(0) as usize
    } else {
        0
    };
    let colours = match bpp {
        1 | 4 | 8 if declared == 0 => 1usize << bpp,
        _ => declared,
    };
    let entry = if info_len == 12 { 3 } else { 4 };
    let structure_end = (headers_end + masks + colours.saturating_mul(entry)).min(data_at);
    let gap: usize = (structure_end..data_at)
        .filter(|i| !profile.contains(i) && bytes[*i] != 0)
        .count();
    if gap > 0 {
        hazards.push(Hazard::new(
            Category::TrailingData,
            format!("{gap} bytes between the headers and the pixel rows"),
        ));
    }
    Ok(Container {
        format: Format::Bmp,
        frames: 1,
        hazards,
        has_icc,
        orientation: None,
    })
}
