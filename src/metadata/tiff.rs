//! The TIFF container: the IFD chain (pages and reduced-resolution
//! thumbnails), checked for bounds and loops; the tags themselves are sorted
//! by the EXIF reader.

use super::{Category, Container, ContainerError, Hazard, exif};
use crate::format::Format;
use std::collections::HashSet;

/// One image file directory of the main chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Ifd {
    /// NewSubfileType bit 0, or SubfileType 2: a reduced-resolution copy.
    reduced: bool,
    has_icc: bool,
    sub_ifds: bool,
}

struct Reader<'a> {
    b: &'a [u8],
    le: bool,
    big: bool,
}

impl Reader<'_> {
    fn uint(&self, at: usize, n: usize) -> Result<u64, ContainerError> {
        let s = at
            .checked_add(n)
            .and_then(|end| self.b.get(at..end))
            .ok_or_else(|| {
                ContainerError::Truncated(format!("inside a TIFF structure at byte {at}"))
            })?;
        let mut v = 0u64;
        for i in 0..n {
            let byte = if self.le { s[n - 1 - i] } else { s[i] } as u64;
            v = (v << 8) | byte;
        }
        Ok(v)
    }

    fn offset(&self, at: usize) -> Result<usize, ContainerError> {
        Ok(self.uint(at, if self.big { 8 } else { 4 })? as usize)
    }

    fn ifd(&self, at: usize) -> Result<(Ifd, usize), ContainerError> {
        let (count_size, entry_size) = if self.big { (8, 20) } else { (2, 12) };
        let count = self.uint(at, count_size)? as usize;
        if count == 0 || count > 4096 {
            return Err(ContainerError::Malformed(format!(
                "a TIFF directory at byte {at} lists {count} entries"
            )));
        }
        let entries = at + count_size;
        let mut ifd = Ifd {
            reduced: false,
            has_icc: false,
            sub_ifds: false,
        };
        for i in 0..count {
            let e = entries + i * entry_size;
            let tag = self.uint(e, 2)?;
            let value_at = e + if self.big { 12 } else { 8 };
            match tag {
                254 => ifd.reduced |= self.uint(value_at, 4)? & 1 == 1,
                255 => ifd.reduced |= self.uint(value_at, 2)? == 2,
                330 => ifd.sub_ifds = true,
                34675 => ifd.has_icc = true,
                _ => {}
            }
        }
        let next = self.offset(entries + count * entry_size)?;
        Ok((ifd, next))
    }
}

/// Lists what a TIFF file carries and counts its pages.
///
/// ```
/// use phiscrub::metadata::tiff;
/// use phiscrub::Category;
/// # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/");
/// let pages = tiff::examine(&std::fs::read(format!("{dir}tiff_multipage.tif"))?)?;
/// assert_eq!(pages.frames, 2);
/// let tagged = tiff::examine(&std::fs::read(format!("{dir}tiff_single_tags.tif"))?)?;
/// assert_eq!(tagged.frames, 1);
/// assert!(tagged.hazards.iter().any(|h| h.category == Category::Gps));
/// assert!(tiff::examine(b"MM\0\x2a").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn examine(bytes: &[u8]) -> Result<Container, ContainerError> {
    let le = match bytes.get(0..2) {
        Some(b"II") => true,
        Some(b"MM") => false,
        _ => return Err(ContainerError::Malformed("not a TIFF file".into())),
    };
    let mut r = Reader {
        b: bytes,
        le,
        big: false,
    };
    let first = match r.uint(2, 2)? {
        42 => r.offset(4)?,
        43 => {
            r.big = true;
            if r.uint(4, 2)? != 8 {
                return Err(ContainerError::Malformed(
                    "unsupported BigTIFF offset size".into(),
                ));
            }
            r.offset(8)?
        }
        v => {
            return Err(ContainerError::Malformed(format!(
                "unknown TIFF version {v}"
            )));
        }
    };
    let mut seen = HashSet::new();
    let mut ifds = Vec::new();
    let mut at = first;
    while at != 0 {
        if !seen.insert(at) {
            return Err(ContainerError::Malformed(
                "the TIFF directories form a loop".into(),
            ));
        }
        if ifds.len() >= 10_000 {
            return Err(ContainerError::Malformed(
                "more than 10,000 TIFF directories".into(),
            ));
        }
        let (ifd, next) = r.ifd(at)?;
        ifds.push(ifd);
        at = next;
    }
    if ifds.is_empty() {
        return Err(ContainerError::Malformed(
            "the TIFF has no image directory".into(),
        ));
    }
    // kamadak-exif reads classic TIFF only; BigTIFF tags go unread, which is
    // why the whole file counts as metadata-bearing then.
    let summary = if r.big {
        exif::Summary {
            hazards: vec![Hazard::new(Category::Other, "BigTIFF tags (not itemised)")],
            orientation: None,
        }
    } else {
        exif::analyse(bytes, true, "TIFF tags")
    };
    let mut hazards = summary.hazards;
    let pages = ifds.iter().filter(|i| !i.reduced).count().max(1);
    let thumbs = ifds.iter().filter(|i| i.reduced).count();
    if thumbs > 0 {
        hazards.push(Hazard::new(
            Category::Thumbnail,
            format!("{thumbs} reduced-resolution image(s) in the directory chain"),
        ));
    }
    if ifds.iter().any(|i| i.sub_ifds) {
        hazards.push(Hazard::new(
            Category::Thumbnail,
            "SubIFDs (previews or extra images)",
        ));
    }
    if pages > 1 {
        hazards.push(Hazard::new(
            Category::ExtraFrames,
            format!("multi-page TIFF with {pages} pages"),
        ));
    }
    Ok(Container {
        format: Format::Tiff,
        frames: pages,
        hazards,
        has_icc: ifds[0].has_icc,
        orientation: summary.orientation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A little-endian TIFF with `n` IFDs of one entry (NewSubfileType).
    fn tiff(subfile: &[u32]) -> Vec<u8> {
        let mut v = b"II*\0\x08\0\0\0".to_vec();
        for (i, s) in subfile.iter().enumerate() {
            let next = if i + 1 == subfile.len() {
                0
            } else {
                v.len() as u32 + 18
            };
            v.extend_from_slice(&1u16.to_le_bytes());
            v.extend_from_slice(&254u16.to_le_bytes());
            v.extend_from_slice(&4u16.to_le_bytes());
            v.extend_from_slice(&1u32.to_le_bytes());
            v.extend_from_slice(&s.to_le_bytes());
            v.extend_from_slice(&next.to_le_bytes());
        }
        v
    }

    #[test]
    fn pages_and_thumbnails_are_told_apart() {
        assert_eq!(examine(&tiff(&[0])).unwrap().frames, 1);
        let c = examine(&tiff(&[0, 1])).unwrap();
        assert_eq!(c.frames, 1);
        assert!(c.hazards.iter().any(|h| h.category == Category::Thumbnail));
        let c = examine(&tiff(&[0, 2, 0])).unwrap();
        assert_eq!(c.frames, 3);
        assert!(
            c.hazards
                .iter()
                .any(|h| h.category == Category::ExtraFrames)
        );
    }

    #[test]
    fn loops_and_overruns_are_errors() {
        let mut f = tiff(&[0, 0]);
        let n = f.len();
        f[n - 4..].copy_from_slice(&8u32.to_le_bytes()); // last IFD points to the first
        assert!(examine(&f).is_err());
        let f = tiff(&[0]);
        assert!(examine(&f[..f.len() - 3]).is_err());
    }
}
