//! The GIF container: a block walk counting frames and listing comments,
//! plain-text blocks and application extensions (XMP among them).

use super::{Category, Container, ContainerError, Hazard, exif, xmp};
use crate::format::Format;

fn truncated(what: &str) -> ContainerError {
    ContainerError::Truncated(what.into())
}

/// Skips a chain of data sub-blocks starting at `pos`; returns the offset
/// after the terminator and the concatenated data.
fn sub_blocks(bytes: &[u8], mut pos: usize) -> Result<(usize, Vec<u8>), ContainerError> {
    let mut data = Vec::new();
    loop {
        let size = *bytes
            .get(pos)
            .ok_or_else(|| truncated("inside a data block"))? as usize;
        pos += 1;
        if size == 0 {
            return Ok((pos, data));
        }
        let chunk = bytes
            .get(pos..pos + size)
            .ok_or_else(|| truncated("inside a data block"))?;
        if data.len() < 1 << 20 {
            data.extend_from_slice(chunk);
        }
        pos += size;
    }
}

/// Lists what a GIF carries and counts its frames.
///
/// ```
/// use phiscrub::metadata::{gif, ContainerError};
/// use phiscrub::Category;
/// # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/");
/// let animated = gif::examine(&std::fs::read(format!("{dir}gif_animated.gif"))?)?;
/// assert_eq!(animated.frames, 2);
/// let tagged = gif::examine(&std::fs::read(format!("{dir}gif_comment_xmp.gif"))?)?;
/// let found: Vec<Category> = tagged.hazards.iter().map(|h| h.category).collect();
/// assert!(found.contains(&Category::Comment) && found.contains(&Category::Xmp));
/// // A file cut short is refused, not half-read.
/// let cut = gif::examine(&std::fs::read(format!("{dir}bad_gif_truncated.gif"))?);
/// assert!(matches!(cut, Err(ContainerError::Truncated(_))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn examine(bytes: &[u8]) -> Result<Container, ContainerError> {
    if bytes.len() < 13 || !(bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a")) {
        return Err(ContainerError::Malformed("not a GIF file".into()));
    }
    let flags = bytes[10];
    let mut pos = 13;
    if flags & 0x80 != 0 {
        pos += 3 * (2usize << (flags & 7));
    }
    let mut hazards = Vec::new();
    let (mut frames, mut has_icc) = (0usize, false);
    loop {
        let Some(&block) = bytes.get(pos) else {
            return Err(truncated("before its trailer"));
        };
        match block {
            0x3B => {
                pos += 1;
                break;
            }
            0x21 => {
                let label = *bytes
                    .get(pos + 1)
                    .ok_or_else(|| truncated("inside an extension"))?;
                let (next, data) = sub_blocks(bytes, pos + 2)?;
                match label {
                    0xF9 => {}
                    0xFE => hazards.push(Hazard::new(
                        Category::Comment,
                        format!(
                            "GIF comment \"{}\"",
                            exif::short(&String::from_utf8_lossy(&data))
                        ),
                    )),
                    0x01 => hazards.push(Hazard::new(
                        Category::Comment,
                        "GIF plain-text block (text drawn over the image)",
                    )),
                    0xFF => {
                        let id = data.get(..11).unwrap_or(&data);
                        match id {
                            b"NETSCAPE2.0" | b"ANIMEXTS1.0" => {}
                            b"ICCRGBG1012" => has_icc = true,
                            b"XMP DataXMP" => hazards
                                .extend(xmp::hazards(&data[11..], "GIF application extension")),
                            _ => hazards.push(Hazard::new(
                                Category::Other,
                                format!("GIF application extension \"{}\"", super::printable(id)),
                            )),
                        }
                    }
                    other => hazards.push(Hazard::new(
                        Category::Other,
                        format!("GIF extension {other:#04x}"),
                    )),
                }
                pos = next;
            }
            0x2C => {
                let desc = bytes
                    .get(pos + 1..pos + 10)
                    .ok_or_else(|| truncated("inside an image descriptor"))?;
                let local = desc[8];
                pos += 10;
                if local & 0x80 != 0 {
                    pos += 3 * (2usize << (local & 7));
                }
                // LZW minimum code size, then the image data sub-blocks.
                if pos >= bytes.len() {
                    return Err(truncated("inside the image data"));
                }
                let (next, _) = sub_blocks(bytes, pos + 1)?;
                pos = next;
                frames += 1;
            }
            other => {
                return Err(ContainerError::Malformed(format!(
                    "unknown GIF block {other:#04x} at byte {pos}"
                )));
            }
        }
    }
    if frames == 0 {
        return Err(ContainerError::Malformed("the GIF has no image".into()));
    }
    let trailing = super::nonzero_trailing(&bytes[pos..]);
    if trailing > 0 {
        hazards.push(Hazard::new(
            Category::TrailingData,
            format!("{trailing} bytes after the GIF trailer"),
        ));
    }
    if frames > 1 {
        hazards.push(Hazard::new(
            Category::ExtraFrames,
            format!("animated GIF with {frames} frames"),
        ));
    }
    Ok(Container {
        format: Format::Gif,
        frames,
        hazards,
        has_icc,
        orientation: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gif(extra: &[u8], frames: usize) -> Vec<u8> {
        let mut v = b"GIF89a\x01\x00\x01\x00\x80\x00\x00".to_vec();
        v.extend_from_slice(&[0, 0, 0, 255, 255, 255]); // 2-colour table
        v.extend_from_slice(extra);
        for _ in 0..frames {
            v.extend_from_slice(&[0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4C, 0x01, 0]);
        }
        v.push(0x3B);
        v
    }

    #[test]
    fn comments_frames_and_truncation() {
        let comment = [0x21, 0xFE, 3, b'b', b'e', b'd', 0];
        let c = examine(&gif(&comment, 1)).unwrap();
        assert_eq!(c.frames, 1);
        assert_eq!(c.hazards[0].category, Category::Comment);
        assert!(c.hazards[0].detail.contains("bed"));
        assert_eq!(examine(&gif(&[], 3)).unwrap().frames, 3);
        let f = gif(&[], 1);
        for cut in 13..f.len() - 1 {
            assert!(examine(&f[..cut]).is_err(), "cut at {cut} accepted");
        }
    }
}
