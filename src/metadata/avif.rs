//! AVIF (an ISO base media file, HEIF's structure with AV1 pictures): a walk
//! over its boxes that accounts for every picture and metadata item, and
//! reads the primary picture's size and turns, which the decoder leaves to
//! its caller.

use super::{Category, Container, ContainerError, Hazard};
use crate::format::Format;
use std::collections::{BTreeMap, BTreeSet};

/// What the walk found, beyond the [`Container`] summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Width and height the primary's `ispe` declares, before turns.
    pub size: Option<(u32, u32)>,
    /// Anti-clockwise quarter turns (`irot`).
    pub rotation: u8,
    /// `imir`: 0 exchanges top and bottom, 1 left and right.
    pub mirror: Option<u8>,
    pub container: Option<Container>,
}

fn malformed(what: &str) -> ContainerError {
    ContainerError::Malformed(format!("AVIF: {what}"))
}

/// A box: its type and payload.
type IsoBox<'a> = ([u8; 4], &'a [u8]);

/// Boxes of `data`, in order; a size past the end is damage.
fn boxes(data: &[u8]) -> Result<Vec<IsoBox<'_>>, ContainerError> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos < data.len() {
        let (Some(size), Some(kind)) = (super::be32(data, pos), data.get(pos + 4..pos + 8)) else {
            return Err(ContainerError::Truncated("inside a box header".into()));
        };
        let kind: [u8; 4] = kind.try_into().unwrap_or_default();
        let (header, size) = match size {
            0 => (8, data.len() - pos),
            1 => {
                let hi = super::be32(data, pos + 8).ok_or_else(|| malformed("short box size"))?;
                let lo = super::be32(data, pos + 12).ok_or_else(|| malformed("short box size"))?;
                (
                    16,
                    ((hi as u64) << 32 | lo as u64).min(usize::MAX as u64) as usize,
                )
            }
            n => (8, n as usize),
        };
        if size < header || pos.checked_add(size).is_none_or(|end| end > data.len()) {
            return Err(ContainerError::Truncated(format!(
                "inside box \"{}\" (its size runs past the end)",
                super::printable(&kind)
            )));
        }
        out.push((kind, &data[pos + header..pos + size]));
        pos += size;
    }
    Ok(out)
}

/// A big-endian unsigned field of `n` bytes (0, 2, 4 or 8).
fn uint(d: &[u8], at: &mut usize, n: usize) -> Option<u64> {
    let b = d.get(*at..*at + n)?;
    *at += n;
    Some(b.iter().fold(0u64, |v, &x| v << 8 | x as u64))
}

struct Meta<'a> {
    primary: Option<u32>,
    /// item id → (type, content type of a `mime` item)
    items: BTreeMap<u32, ([u8; 4], String)>,
    /// (reference type, from, to)
    refs: Vec<([u8; 4], u32, u32)>,
    /// item id → (construction method, extents as (offset, length))
    locations: BTreeMap<u32, (u8, Vec<(u64, u64)>)>,
    properties: Vec<IsoBox<'a>>,
    /// item id → property indices (1-based)
    associations: BTreeMap<u32, Vec<usize>>,
    idat: &'a [u8],
}

fn parse_meta(meta: &[u8]) -> Result<Meta<'_>, ContainerError> {
    let body = meta.get(4..).ok_or_else(|| malformed("empty meta box"))?;
    let mut m = Meta {
        primary: None,
        items: BTreeMap::new(),
        refs: Vec::new(),
        locations: BTreeMap::new(),
        properties: Vec::new(),
        associations: BTreeMap::new(),
        idat: &[],
    };
    let bad = |w: &str| malformed(w);
    for (kind, d) in boxes(body)? {
        match &kind {
            b"pitm" => {
                let mut at = 4;
                let n = if d.first() == Some(&0) { 2 } else { 4 };
                m.primary = uint(d, &mut at, n).map(|v| v as u32);
            }
            b"iinf" => {
                let v = *d.first().ok_or_else(|| bad("iinf"))?;
                let skip = if v == 0 { 6 } else { 8 };
                for (k, e) in boxes(d.get(skip..).ok_or_else(|| bad("iinf"))?)? {
                    if &k != b"infe" {
                        continue;
                    }
                    let v = *e.first().ok_or_else(|| bad("infe"))?;
                    if v < 2 {
                        continue;
                    }
                    let mut at = 4;
                    let id =
                        uint(e, &mut at, if v == 2 { 2 } else { 4 }).ok_or_else(|| bad("infe"))?;
                    at += 2;
                    let kind: [u8; 4] = e
                        .get(at..at + 4)
                        .and_then(|t| t.try_into().ok())
                        .ok_or_else(|| bad("infe"))?;
                    at += 4;
                    // The item's name, then (for `mime`) its content type.
                    let rest = e.get(at..).unwrap_or_default();
                    let mut strings = rest.split(|&b| b == 0);
                    let _name = strings.next();
                    let content = strings
                        .next()
                        .map(|s| String::from_utf8_lossy(s).into_owned())
                        .unwrap_or_default();
                    m.items.insert(id as u32, (kind, content));
                }
            }
            b"iref" => {
                let v = *d.first().ok_or_else(|| bad("iref"))?;
                let n = if v == 0 { 2 } else { 4 };
                for (k, r) in boxes(d.get(4..).unwrap_or_default())? {
                    let mut at = 0;
                    let from = uint(r, &mut at, n).ok_or_else(|| bad("iref"))? as u32;
                    let count = uint(r, &mut at, 2).ok_or_else(|| bad("iref"))?;
                    for _ in 0..count {
                        let to = uint(r, &mut at, n).ok_or_else(|| bad("iref"))? as u32;
                        m.refs.push((k, from, to));
                    }
                }
            }
            b"iloc" => {
                let v = *d.first().ok_or_else(|| bad("iloc"))?;
                let mut at = 4;
                let sizes = uint(d, &mut at, 2).ok_or_else(|| bad("iloc"))?;
                let (off, len, base) = (
                    (sizes >> 12) as usize,
                    (sizes >> 8 & 15) as usize,
                    (sizes >> 4 & 15) as usize,
                );
                let index = if v >= 1 { (sizes & 15) as usize } else { 0 };
                let count =
                    uint(d, &mut at, if v < 2 { 2 } else { 4 }).ok_or_else(|| bad("iloc"))?;
                for _ in 0..count {
                    let id =
                        uint(d, &mut at, if v < 2 { 2 } else { 4 }).ok_or_else(|| bad("iloc"))?;
                    let method = if v >= 1 {
                        (uint(d, &mut at, 2).ok_or_else(|| bad("iloc"))? & 15) as u8
                    } else {
                        0
                    };
                    at += 2;
                    let base = uint(d, &mut at, base).ok_or_else(|| bad("iloc"))?;
                    let extents = uint(d, &mut at, 2).ok_or_else(|| bad("iloc"))?;
                    let mut list = Vec::new();
                    for _ in 0..extents {
                        uint(d, &mut at, index).ok_or_else(|| bad("iloc"))?;
                        let o = uint(d, &mut at, off).ok_or_else(|| bad("iloc"))?;
                        let l = uint(d, &mut at, len).ok_or_else(|| bad("iloc"))?;
                        list.push((base.saturating_add(o), l));
                    }
                    m.locations.insert(id as u32, (method, list));
                }
            }
            b"iprp" => {
                for (k, p) in boxes(d)? {
                    match &k {
                        b"ipco" => m.properties = boxes(p)?,
                        b"ipma" => {
                            let v = *p.first().ok_or_else(|| bad("ipma"))?;
                            let wide = p.get(3).is_some_and(|f| f & 1 == 1);
                            let mut at = 4;
                            let count = uint(p, &mut at, 4).ok_or_else(|| bad("ipma"))?;
                            for _ in 0..count {
                                let id = uint(p, &mut at, if v < 1 { 2 } else { 4 })
                                    .ok_or_else(|| bad("ipma"))?;
                                let n = uint(p, &mut at, 1).ok_or_else(|| bad("ipma"))?;
                                let mut list = Vec::new();
                                for _ in 0..n {
                                    let a = uint(p, &mut at, if wide { 2 } else { 1 })
                                        .ok_or_else(|| bad("ipma"))?;
                                    let mask = if wide { 0x7fff } else { 0x7f };
                                    list.push((a & mask) as usize);
                                }
                                m.associations.insert(id as u32, list);
                            }
                        }
                        _ => {}
                    }
                }
            }
            b"idat" => m.idat = d,
            _ => {}
        }
    }
    Ok(m)
}

impl Meta<'_> {
    fn data(&self, file: &[u8], id: u32) -> Option<Vec<u8>> {
        let (method, extents) = self.locations.get(&id)?;
        let source = match method {
            0 => file,
            1 => self.idat,
            _ => return None,
        };
        let mut out = Vec::new();
        for &(o, l) in extents {
            let (o, l) = (usize::try_from(o).ok()?, usize::try_from(l).ok()?);
            let l = if l == 0 {
                source.len().checked_sub(o)?
            } else {
                l
            };
            out.extend_from_slice(source.get(o..o.checked_add(l)?)?);
        }
        Some(out)
    }

    fn property(&self, id: u32, kind: &[u8; 4]) -> Option<&[u8]> {
        self.associations.get(&id)?.iter().find_map(|&i| {
            let (k, d) = self.properties.get(i.checked_sub(1)?)?;
            (k == kind).then_some(*d)
        })
    }
}

/// Walks an AVIF file: its pictures, metadata items and the primary's turns.
pub(crate) fn walk(bytes: &[u8]) -> Result<Layout, ContainerError> {
    let top = boxes(bytes)?;
    let mut hazards = Vec::new();
    let mut layout = Layout::default();
    let mut frames = 1usize;
    let mut meta = None;
    for (kind, d) in &top {
        match kind {
            b"ftyp" | b"mdat" | b"free" | b"skip" => {}
            b"meta" => meta = Some(*d),
            // A sequence: its track holds pictures of its own.
            b"moov" => frames = frames.max(2),
            other => hazards.push(Hazard::new(
                Category::Other,
                format!(
                    "top-level box \"{}\" ({} bytes)",
                    super::printable(other),
                    d.len()
                ),
            )),
        }
    }
    let meta = parse_meta(meta.ok_or_else(|| malformed("no meta box"))?)?;
    let primary = meta.primary.ok_or_else(|| malformed("no primary item"))?;

    let is_picture = |t: &[u8; 4]| matches!(t, b"av01" | b"grid" | b"iovl" | b"iden" | b"tmap");
    let from_of = |r: &[u8; 4]| -> BTreeSet<u32> {
        meta.refs
            .iter()
            .filter(|(k, _, _)| k == r)
            .map(|(_, f, _)| *f)
            .collect()
    };
    let (thumbs, aux) = (from_of(b"thmb"), from_of(b"auxl"));
    let tiles: BTreeSet<u32> = meta
        .refs
        .iter()
        .filter(|(k, _, _)| k == b"dimg")
        .map(|(_, _, t)| *t)
        .collect();
    let mut pictures = 0usize;
    for (id, (kind, content)) in &meta.items {
        if is_picture(kind) {
            if thumbs.contains(id) {
                hazards.push(Hazard::new(Category::Thumbnail, "a thumbnail item"));
            } else if aux.contains(id) || kind == b"tmap" {
                hazards.push(Hazard::new(
                    Category::DerivedMap,
                    "an auxiliary image: alpha, depth or gain map (dropped)",
                ));
            } else if !tiles.contains(id) || *id == primary {
                pictures += 1;
            }
            continue;
        }
        match meta.data(bytes, *id) {
            Some(d) => hazards.extend(super::heif_item_hazards(kind, content, &d)),
            None => hazards.push(Hazard::new(
                Category::Other,
                format!("a \"{}\" item outside the file", super::printable(kind)),
            )),
        }
    }
    frames = frames.max(pictures.max(1));
    if frames > 1 {
        hazards.push(Hazard::new(
            Category::ExtraFrames,
            format!("{frames} pictures: an AVIF sequence or collection"),
        ));
    }
    if let Some(ispe) = meta.property(primary, b"ispe") {
        let mut at = 4;
        if let (Some(w), Some(h)) = (uint(ispe, &mut at, 4), uint(ispe, &mut at, 4)) {
            layout.size = Some((w as u32, h as u32));
        }
    }
    layout.rotation = meta
        .property(primary, b"irot")
        .and_then(|d| d.first())
        .map(|a| a & 3)
        .unwrap_or(0);
    layout.mirror = meta
        .property(primary, b"imir")
        .and_then(|d| d.first())
        .map(|a| a & 1);
    let has_icc = meta
        .property(primary, b"colr")
        .is_some_and(|c| c.starts_with(b"prof") || c.starts_with(b"rICC"));
    layout.container = Some(Container {
        format: Format::Avif,
        frames,
        hazards,
        has_icc,
        orientation: None,
    });
    Ok(layout)
}

/// Lists what an AVIF file carries and counts its pictures.
///
/// ```
/// use phiscrub::metadata::avif;
/// use phiscrub::Category;
/// # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/containers/avif_exif_gps.avif");
/// let found = avif::examine(&std::fs::read(path)?)?;
/// assert_eq!(found.frames, 1);
/// assert!(found.hazards.iter().any(|h| h.category == Category::Gps));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn examine(bytes: &[u8]) -> Result<Container, ContainerError> {
    walk(bytes)?
        .container
        .ok_or_else(|| malformed("no picture"))
}

/// The primary's own ICC profile (`colr` of type `prof`).
pub(crate) fn icc(bytes: &[u8]) -> Option<Vec<u8>> {
    let top = boxes(bytes).ok()?;
    let meta = parse_meta(top.iter().find(|(k, _)| k == b"meta")?.1).ok()?;
    let colr = meta.property(meta.primary?, b"colr")?;
    (colr.starts_with(b"prof") || colr.starts_with(b"rICC")).then(|| colr[4..].to_vec())
}
