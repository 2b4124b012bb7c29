//! HEIC/HEIF, as libheif reads it: every picture in the file is accounted for.
//!
//! The primary picture is the one scrubbed. Thumbnails, depth maps and
//! auxiliary images (HDR gain maps, portrait mattes) are derived from it and
//! dropped; other top-level pictures (a burst, a collection) are pictures of
//! their own, so the file counts as several frames and is refused unless the
//! first is asked for. The primary's EXIF and XMP blocks are listed as
//! hazards. Outputs are always encoded from the decoded pixels, so nothing
//! else in the file can survive.

use super::{Category, Container, ContainerError, Hazard};
use crate::format::Format;
use crate::heif::File;

/// Lists what a HEIF file carries and counts its pictures.
///
/// ```
/// use phiscrub::metadata::heif;
/// use phiscrub::Category;
/// # let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/containers/");
/// let one = heif::examine(&std::fs::read(format!("{dir}heic_thumbnail_gps.heic"))?)?;
/// assert_eq!(one.frames, 1);
/// let found: Vec<Category> = one.hazards.iter().map(|h| h.category).collect();
/// assert!(found.contains(&Category::Gps) && found.contains(&Category::Thumbnail));
/// let burst = heif::examine(&std::fs::read(format!("{dir}heic_two_pictures.heic"))?)?;
/// assert_eq!(burst.frames, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn examine(bytes: &[u8]) -> Result<Container, ContainerError> {
    let file = File::open(bytes).map_err(|e| ContainerError::Malformed(format!("libheif: {e}")))?;
    let c = file
        .contents()
        .map_err(|e| ContainerError::Malformed(format!("libheif: {e}")))?;
    let mut hazards = Vec::new();
    for (kind, data) in &c.metadata {
        hazards.extend(super::heif_item_hazards(kind.as_bytes(), "", data));
    }
    if c.thumbnails > 0 {
        hazards.push(Hazard::new(
            Category::Thumbnail,
            format!("{} thumbnail image(s)", c.thumbnails),
        ));
    }
    if c.depth_maps > 0 {
        hazards.push(Hazard::new(
            Category::DerivedMap,
            format!("{} depth map(s) (dropped)", c.depth_maps),
        ));
    }
    if c.auxiliary > 0 {
        hazards.push(Hazard::new(
            Category::DerivedMap,
            format!(
                "{} auxiliary image(s): gain map or matte (dropped)",
                c.auxiliary
            ),
        ));
    }
    let frames = c.pictures.max(1);
    if frames > 1 {
        hazards.push(Hazard::new(
            Category::ExtraFrames,
            format!("{frames} pictures: top-level images of a HEIF burst or collection"),
        ));
    }
    Ok(Container {
        format: Format::Heic,
        frames,
        hazards,
        has_icc: file.icc().is_some(),
        // libheif turns the pixels upright itself (irot/imir); an EXIF
        // Orientation in a HEIF is informative only and must not turn them
        // again.
        orientation: None,
    })
}
