//! The WebP container (RIFF): chunk walk with size checks, metadata chunks
//! and animation frames.

use super::{Category, Container, ContainerError, Hazard, exif, xmp};
use crate::format::Format;

/// Lists what a WebP file carries and counts its frames.
///
/// ```
/// use phiscrub::metadata::{webp, ContainerError};
/// use phiscrub::Category;
/// # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/");
/// let tagged = webp::examine(&std::fs::read(format!("{dir}webp_lossy_exif_xmp.webp"))?)?;
/// let found: Vec<Category> = tagged.hazards.iter().map(|h| h.category).collect();
/// assert!(found.contains(&Category::Gps) && found.contains(&Category::Xmp));
/// assert!(tagged.has_icc);
/// let animated = webp::examine(&std::fs::read(format!("{dir}webp_animated.webp"))?)?;
/// assert_eq!(animated.frames, 2);
/// // The RIFF header promises more bytes than the file holds.
/// let cut = webp::examine(&std::fs::read(format!("{dir}bad_webp_riff_size.webp"))?);
/// assert!(matches!(cut, Err(ContainerError::Truncated(_))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn examine(bytes: &[u8]) -> Result<Container, ContainerError> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WEBP" {
        return Err(ContainerError::Malformed("not a WebP file".into()));
    }
    let riff_size = super::le32(bytes, 4).unwrap_or(0) as usize;
    let end = riff_size
        .checked_add(8)
        .ok_or_else(|| ContainerError::Malformed("impossible RIFF size".into()))?;
    if riff_size < 4 || end > bytes.len() {
        return Err(ContainerError::Truncated(format!(
            "before the {end} bytes its RIFF header announces ({} present)",
            bytes.len()
        )));
    }
    let mut hazards = Vec::new();
    let (mut has_icc, mut orientation, mut frames, mut image) = (false, None, 0usize, false);
    let mut pos = 12;
    while pos < end {
        let (Some(kind), Some(size)) = (bytes.get(pos..pos + 4), super::le32(bytes, pos + 4))
        else {
            return Err(ContainerError::Truncated("inside a chunk header".into()));
        };
        let size = size as usize;
        let data_end = pos + 8 + size;
        if data_end > end {
            return Err(ContainerError::Truncated(format!(
                "inside chunk \"{}\" (its size runs past the end)",
                super::printable(kind)
            )));
        }
        let data = &bytes[pos + 8..data_end];
        match kind {
            b"VP8 " | b"VP8L" => image = true,
            b"VP8X" | b"ALPH" | b"ANIM" => {}
            b"ANMF" => frames += 1,
            b"ICCP" => has_icc = true,
            b"EXIF" => {
                let tiff = data.strip_prefix(b"Exif\0\0").unwrap_or(data);
                let s = exif::analyse(tiff, false, "EXIF chunk");
                orientation = orientation.or(s.orientation);
                hazards.extend(s.hazards);
            }
            b"XMP " => hazards.extend(xmp::hazards(data, "XMP chunk")),
            _ => hazards.push(Hazard::new(
                Category::Other,
                format!("chunk \"{}\" ({size} bytes)", super::printable(kind)),
            )),
        }
        // Chunks are padded to an even size.
        pos = data_end + (size & 1);
    }
    if !image && frames == 0 {
        return Err(ContainerError::Malformed(
            "the WebP has no image data".into(),
        ));
    }
    let trailing = super::nonzero_trailing(&bytes[end.min(bytes.len())..]);
    if trailing > 0 {
        hazards.push(Hazard::new(
            Category::TrailingData,
            format!("{trailing} bytes after the RIFF data"),
        ));
    }
    let frames = frames.max(1);
    if frames > 1 {
        hazards.push(Hazard::new(
            Category::ExtraFrames,
            format!("animated WebP with {frames} frames"),
        ));
    }
    Ok(Container {
        format: Format::Webp,
        frames,
        hazards,
        has_icc,
        orientation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn riff(chunks: &[(&[u8; 4], &[u8])]) -> Vec<u8> {
        let mut body = b"WEBP".to_vec();
        for (k, d) in chunks {
            body.extend_from_slice(*k);
            body.extend_from_slice(&(d.len() as u32).to_le_bytes());
            body.extend_from_slice(d);
            if d.len() % 2 == 1 {
                body.push(0);
            }
        }
        let mut v = b"RIFF".to_vec();
        v.extend_from_slice(&(body.len() as u32).to_le_bytes());
        v.extend(body);
        v
    }

    #[test]
    fn metadata_chunks_frames_and_truncation() {
        let f = riff(&[
            (b"VP8X", &[0; 10]),
            (b"VP8L", &[1, 2, 3]),
            (b"XMP ", b"<x:xmpmeta/>"),
        ]);
        let c = examine(&f).unwrap();
        assert_eq!(c.frames, 1);
        assert_eq!(c.hazards[0].category, Category::Xmp);
        let anim = riff(&[
            (b"VP8X", &[2; 10]),
            (b"ANIM", &[0; 6]),
            (b"ANMF", &[0; 20]),
            (b"ANMF", &[0; 20]),
        ]);
        assert_eq!(examine(&anim).unwrap().frames, 2);
        assert!(matches!(
            examine(&f[..f.len() - 3]),
            Err(ContainerError::Truncated(_))
        ));
        let mut lying = f.clone();
        lying[4] = lying[4].wrapping_add(40);
        assert!(examine(&lying).is_err());
    }
}
