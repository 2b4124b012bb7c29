//! Turning findings into filled regions and filling them. The fill overwrites
//! every channel of every covered pixel with opaque black: nothing of the
//! original survives, unlike a blur or mosaic that can be partly reversed.

use crate::detect::Finding;
use crate::geometry::{BoxF, Quad, Rect, Shape, Sides};
use image::{DynamicImage, ImageBuffer, Pixel, Primitive};

/// The padded region to fill for a face, in whole pixels of a `width` ×
/// `height` image. `padding` scales the detector box about its centre. An
/// ellipse cut by the image edge would shrink if inscribed in the clipped
/// rectangle, so such a region is filled whole.
///
/// ```
/// use phiscrub::geometry::Shape;
/// use phiscrub::redact::face_region;
/// use phiscrub::{BoxF, Finding, FindingKind};
/// let face = Finding::new(FindingKind::Face, BoxF::new(40.0, 40.0, 20.0, 20.0), 0.9);
/// // 1.5 times as wide and twice as tall, about the centre (50, 50).
/// let r = face_region(&face, (1.5, 2.0), Shape::Ellipse, 100, 100).unwrap();
/// assert_eq!((r.x0, r.y0, r.x1, r.y1), (35, 30, 65, 70));
/// assert_eq!(r.shape, Shape::Ellipse);
/// // At the left edge the padded region is cut off, so it is filled whole.
/// let edge = Finding::new(FindingKind::Face, BoxF::new(0.0, 40.0, 20.0, 20.0), 0.9);
/// let r = face_region(&edge, (1.5, 2.0), Shape::Ellipse, 100, 100).unwrap();
/// assert_eq!((r.x0, r.x1, r.shape), (0, 25, Shape::Box));
/// ```
pub fn face_region(
    face: &Finding,
    padding: (f32, f32),
    shape: Shape,
    width: u32,
    height: u32,
) -> Option<Rect> {
    let padded = face.bbox.scaled(padding.0, padding.1);
    let mut r = padded.to_rect(width, height)?;
    let inside = padded.x >= 0.0
        && padded.y >= 0.0
        && padded.x2() <= width as f32
        && padded.y2() <= height as f32;
    r.shape = if inside { shape } else { Shape::Box };
    Some(r)
}

/// How far a text line's fill reaches past each end of the outline the
/// detector gave it, as a share of the line's thickness. The network's
/// probability fades over a line's first and last letters, more so when
/// they are blurred, slanted or unevenly lit, and the outline's margin
/// alone left the last letter or two of a sign half readable ("ROBIN",
/// "CRIME", "Care" on the shared text set). Detection, wristband grouping
/// and verification keep the detector's outline: a line made longer there
/// reached a large sign beside a label and merged the two into one group,
/// too deep to be a label.
pub(crate) const TEXT_ENDS: f32 = 0.25;

/// An outline at least this many times longer than thick is a line, whose
/// fill [`TEXT_ENDS`] lengthens; a squarer one (a stapler or a fold of cloth
/// the network reads as text, one large glyph) is filled as outlined.
pub(crate) const TEXT_LINE: f32 = 2.0;

/// The pixels to fill for a text finding: its outline (or box), a line's
/// (at least twice as long as thick) lengthened by a quarter of its
/// thickness at both ends.
///
/// ```
/// use phiscrub::redact::text_region;
/// use phiscrub::{BoxF, Finding, FindingKind};
/// // An upright line (the detector gives slanted ones an outline).
/// let line = Finding::new(FindingKind::Text, BoxF::new(20.0, 20.0, 40.0, 8.0), 0.9);
/// let r = text_region(&line, 100, 100).unwrap();
/// // 2 px (a quarter of its 8 px thickness) more at each end, none across.
/// assert_eq!((r.x0, r.x1, r.y0, r.y1), (18, 62, 20, 28));
/// // A glyph about as tall as wide is filled as found.
/// let glyph = Finding::new(FindingKind::Text, BoxF::new(20.0, 20.0, 10.0, 12.0), 0.9);
/// assert_eq!(text_region(&glyph, 100, 100), glyph.region(100, 100));
/// ```
pub fn text_region(text: &Finding, width: u32, height: u32) -> Option<Rect> {
    match text.outline {
        Some(q) => Rect::from_quad(lengthened(q, TEXT_ENDS), width, height),
        // Upright lines come without an outline and are filled as boxes,
        // rounded outwards.
        None => {
            let b = text.bbox;
            let (dx, dy) = if b.w >= TEXT_LINE * b.h {
                (TEXT_ENDS * b.h, 0.0)
            } else if b.h >= TEXT_LINE * b.w {
                (0.0, TEXT_ENDS * b.w)
            } else {
                (0.0, 0.0)
            };
            BoxF::from_corners(b.x - dx, b.y - dy, b.x2() + dx, b.y2() + dy).to_rect(width, height)
        }
    }
}

/// A line's outline with both ends moved out along it by `share` of its
/// thickness; anything squarer than [`TEXT_LINE`] as it was.
fn lengthened(q: Quad, share: f32) -> Quad {
    let s = Sides::of(&q);
    if s.thick <= 0.0 || s.long < TEXT_LINE * s.thick {
        return q;
    }
    let along = if s.first_longer { s.first } else { s.second };
    let g = share * s.thick / s.long;
    let d = [along[0] * g, along[1] * g];
    let out = |p: [f32; 2], s: f32| [p[0] + s * d[0], p[1] + s * d[1]];
    // Corner 0 starts the first side: with the first side along the line,
    // corners 0 and 3 are its start; with the second, corners 0 and 1.
    if s.first_longer {
        [
            out(q[0], -1.0),
            out(q[1], 1.0),
            out(q[2], 1.0),
            out(q[3], -1.0),
        ]
    } else {
        [
            out(q[0], -1.0),
            out(q[1], -1.0),
            out(q[2], 1.0),
            out(q[3], 1.0),
        ]
    }
}

/// Fills each rectangle with opaque black, whatever the pixel type.
///
/// ```
/// use image::{DynamicImage, GenericImageView, Rgba, RgbaImage};
/// use phiscrub::redact::fill;
/// use phiscrub::Rect;
/// let clear = Rgba([200, 150, 100, 0]);
/// let mut img = DynamicImage::ImageRgba8(RgbaImage::from_pixel(8, 8, clear));
/// fill(&mut img, &[Rect { x0: 2, y0: 2, x1: 6, y1: 6, ..Default::default() }]);
/// // Inside: black and opaque, even where the original was transparent.
/// assert_eq!(img.get_pixel(2, 2), Rgba([0, 0, 0, 255]));
/// assert_eq!(img.get_pixel(5, 5), Rgba([0, 0, 0, 255]));
/// // Outside (the rectangle excludes x1 and y1): untouched.
/// assert_eq!(img.get_pixel(6, 5), clear);
///
/// // 16-bit images are filled at their own depth.
/// let grey = image::ImageBuffer::from_pixel(4, 4, image::Luma([40_000u16]));
/// let mut deep = DynamicImage::ImageLuma16(grey);
/// fill(&mut deep, &[Rect { x0: 0, y0: 0, x1: 2, y1: 4, ..Default::default() }]);
/// let deep = deep.as_luma16().unwrap();
/// assert_eq!((deep.get_pixel(1, 3).0, deep.get_pixel(2, 3).0), ([0], [40_000]));
/// ```
pub fn fill(image: &mut DynamicImage, rects: &[Rect]) {
    match image {
        DynamicImage::ImageLuma8(b) => fill_buffer(b, rects),
        DynamicImage::ImageLumaA8(b) => fill_buffer(b, rects),
        DynamicImage::ImageRgb8(b) => fill_buffer(b, rects),
        DynamicImage::ImageRgba8(b) => fill_buffer(b, rects),
        DynamicImage::ImageLuma16(b) => fill_buffer(b, rects),
        DynamicImage::ImageLumaA16(b) => fill_buffer(b, rects),
        DynamicImage::ImageRgb16(b) => fill_buffer(b, rects),
        DynamicImage::ImageRgba16(b) => fill_buffer(b, rects),
        DynamicImage::ImageRgb32F(b) => fill_buffer(b, rects),
        DynamicImage::ImageRgba32F(b) => fill_buffer(b, rects),
        // `DynamicImage` is non-exhaustive; a variant added upstream must not
        // pass through unfilled, so convert it to one we know how to fill.
        other => {
            let mut rgba = other.to_rgba16();
            fill_buffer(&mut rgba, rects);
            *other = DynamicImage::ImageRgba16(rgba);
        }
    }
}

/// [`fill`] on the RGB copy the detectors look at.
pub(crate) fn fill_rgb(image: &mut image::RgbImage, rects: &[Rect]) {
    fill_buffer(image, rects)
}

fn fill_buffer<P: Pixel>(buf: &mut ImageBuffer<P, Vec<P::Subpixel>>, rects: &[Rect]) {
    let (w, h) = buf.dimensions();
    let black = |_: P::Subpixel| <P::Subpixel as Primitive>::DEFAULT_MIN_VALUE;
    let opaque = |_: P::Subpixel| <P::Subpixel as Primitive>::DEFAULT_MAX_VALUE;
    for r in rects {
        for y in r.y0..r.y1.min(h) {
            let Some((a, b)) = r.row_span(y) else {
                continue;
            };
            for x in a..b.min(w) {
                let p = buf.get_pixel_mut(x, y);
                *p = p.map_with_alpha(black, opaque);
            }
        }
    }
}

/// Share of `rect`'s pixels (its shape's, not its bounding box's) that lie
/// inside any of `fills`.
///
/// ```
/// use phiscrub::geometry::Shape;
/// use phiscrub::redact::covered_fraction;
/// use phiscrub::Rect;
/// let face = Rect { x0: 0, y0: 0, x1: 10, y1: 10, ..Default::default() };
/// let left = Rect { x1: 5, ..face };
/// let middle = Rect { x0: 3, x1: 8, ..face };
/// // Overlapping fills count once: columns 0..8 of 10.
/// assert_eq!(covered_fraction(&face, &[left, middle]), 0.8);
/// assert_eq!(covered_fraction(&face, &[]), 0.0);
/// // An ellipse counts only its own pixels: its bounding box covers it whole,
/// // but it leaves the box's corners.
/// let round = Rect { shape: Shape::Ellipse, ..face };
/// assert_eq!(covered_fraction(&round, &[face]), 1.0);
/// assert!(covered_fraction(&face, &[round]) < 0.9);
/// ```
pub fn covered_fraction(rect: &Rect, fills: &[Rect]) -> f32 {
    let (mut total, mut covered) = (0u64, 0u64);
    // Fills found in a picture come as thousands of one-row strips (an
    // ellipse's rows): only those beside the rectangle are looked at, and
    // on each row only those spanning it.
    let mut near: Vec<&Rect> = fills
        .iter()
        .filter(|f| f.x0 < rect.x1 && f.x1 > rect.x0 && f.y0 < rect.y1 && f.y1 > rect.y0)
        .collect();
    near.sort_unstable_by_key(|f| f.y0);
    let (mut next, mut active): (usize, Vec<&Rect>) = (0, Vec::new());
    let mut spans: Vec<(u32, u32)> = Vec::new();
    for y in rect.y0..rect.y1 {
        while next < near.len() && near[next].y0 <= y {
            active.push(near[next]);
            next += 1;
        }
        active.retain(|f| f.y1 > y);
        let Some((x0, x1)) = rect.row_span(y) else {
            continue;
        };
        total += (x1 - x0) as u64;
        spans.clear();
        spans.extend(
            active
                .iter()
                .filter_map(|f| f.row_span(y))
                .map(|(a, b)| (a.max(x0), b.min(x1)))
                .filter(|(a, b)| a < b),
        );
        spans.sort_unstable();
        let mut end = x0;
        for &(a, b) in &spans {
            let a = a.max(end);
            if b > a {
                covered += (b - a) as u64;
                end = b;
            }
        }
    }
    if total == 0 {
        return 1.0;
    }
    covered as f32 / total as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::FindingKind;
    use image::{GenericImageView, Rgba};

    #[test]
    fn a_line_is_filled_past_its_ends_and_a_blob_as_outlined() {
        let quad = |x0: f32, y0: f32, x1: f32, y1: f32| [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
        let text = |q: Quad| Finding {
            outline: Some(q),
            ..Finding::new(FindingKind::Text, BoxF::new(0.0, 0.0, 1.0, 1.0), 0.9)
        };
        let sides = |r: Rect| (r.x0, r.y0, r.x1, r.y1);
        let at = |q: Quad| sides(text_region(&text(q), 200, 200).unwrap());
        // A level line 40 × 8 and a line running down 8 × 40 (its second
        // side the long one) grow 2 px at both ends, nothing across.
        assert_eq!(at(quad(20.0, 20.0, 60.0, 28.0)), (18, 20, 62, 28));
        assert_eq!(at(quad(120.0, 20.0, 128.0, 60.0)), (120, 18, 128, 62));
        // Squarer than a line: a 12 px blob, a 15 × 8 block.
        assert_eq!(at(quad(20.0, 120.0, 32.0, 132.0)), (20, 120, 32, 132));
        assert_eq!(at(quad(120.0, 120.0, 135.0, 128.0)), (120, 120, 135, 128));
        // A slanted line grows along its slant: corner 0 (its start) moves
        // back along the line, corner 2 (its far end, bottom) forward.
        let (c, s) = (0.8f32, 0.6f32);
        let slant = [
            [50.0, 100.0],
            [50.0 + 40.0 * c, 100.0 - 40.0 * s],
            [50.0 + 40.0 * c - 8.0 * s, 100.0 - 40.0 * s - 8.0 * c],
            [50.0 - 8.0 * s, 100.0 - 8.0 * c],
        ];
        let grown = lengthened(slant, TEXT_ENDS);
        let moved = |a: [f32; 2], b: [f32; 2]| [b[0] - a[0], b[1] - a[1]];
        let close =
            |v: [f32; 2], w: [f32; 2]| (v[0] - w[0]).abs() < 1e-4 && (v[1] - w[1]).abs() < 1e-4;
        assert!(
            close(moved(slant[0], grown[0]), [-2.0 * c, 2.0 * s]),
            "{grown:?}"
        );
        assert!(
            close(moved(slant[2], grown[2]), [2.0 * c, -2.0 * s]),
            "{grown:?}"
        );
        // An upright line, which comes without an outline, grows the same.
        let plain = Finding::new(FindingKind::Text, BoxF::new(20.0, 20.0, 40.0, 8.0), 0.9);
        assert_eq!(
            sides(text_region(&plain, 200, 200).unwrap()),
            (18, 20, 62, 28)
        );
    }

    #[test]
    fn fill_makes_rgba_opaque_black_only_inside() {
        let mut img =
            DynamicImage::ImageRgba8(ImageBuffer::from_pixel(10, 10, Rgba([200, 100, 50, 0])));
        let r = Rect {
            x0: 2,
            y0: 3,
            x1: 5,
            y1: 6,
            ..Default::default()
        };
        fill(&mut img, &[r]);
        assert_eq!(img.get_pixel(2, 3), Rgba([0, 0, 0, 255]));
        assert_eq!(img.get_pixel(4, 5), Rgba([0, 0, 0, 255]));
        assert_eq!(img.get_pixel(5, 5), Rgba([200, 100, 50, 0]));
        assert_eq!(img.get_pixel(1, 3), Rgba([200, 100, 50, 0]));
    }

    #[test]
    fn fill_handles_16_bit_grey_with_alpha() {
        let mut img =
            DynamicImage::ImageLumaA16(ImageBuffer::from_pixel(4, 4, image::LumaA([40000, 7])));
        fill(
            &mut img,
            &[Rect {
                x0: 0,
                y0: 0,
                x1: 4,
                y1: 4,
                ..Default::default()
            }],
        );
        let b = img.as_luma_alpha16().unwrap();
        assert!(b.pixels().all(|p| p.0 == [0, u16::MAX]));
    }

    #[test]
    fn padding_grows_about_the_centre_and_clips() {
        let f = Finding::new(FindingKind::Face, BoxF::new(10.0, 10.0, 20.0, 20.0), 0.9);
        let r = face_region(&f, (1.5, 2.0), Shape::Ellipse, 100, 35).unwrap();
        assert_eq!(
            r,
            Rect {
                x0: 5,
                y0: 0,
                x1: 35,
                y1: 35,
                ..Default::default()
            }
        );
    }

    #[test]
    fn covered_fraction_counts_overlaps_once() {
        let r = Rect {
            x0: 0,
            y0: 0,
            x1: 10,
            y1: 10,
            ..Default::default()
        };
        let a = Rect {
            x0: 0,
            y0: 0,
            x1: 6,
            y1: 10,
            ..Default::default()
        };
        let b = Rect {
            x0: 4,
            y0: 0,
            x1: 8,
            y1: 5,
            ..Default::default()
        };
        assert!((covered_fraction(&r, &[a, b]) - 0.7).abs() < 1e-6);
        assert_eq!(covered_fraction(&r, &[]), 0.0);
    }

    #[test]
    fn ellipses_fill_and_cover_only_their_inside() {
        let f = Finding::new(FindingKind::Face, BoxF::new(20.0, 20.0, 20.0, 20.0), 0.9);
        let e = face_region(&f, (1.5, 1.5), Shape::Ellipse, 100, 100).unwrap();
        assert_eq!(
            (e.x0, e.y0, e.x1, e.y1, e.shape),
            (15, 15, 45, 45, Shape::Ellipse)
        );
        let mut img =
            DynamicImage::ImageRgb8(ImageBuffer::from_pixel(100, 100, image::Rgb([9, 9, 9])));
        fill(&mut img, &[e]);
        let px = |x, y| img.get_pixel(x, y).0[0];
        assert_eq!(px(30, 30), 0); // centre
        assert_eq!(px(15, 30), 0); // left end of the middle row
        assert_eq!(px(15, 15), 9); // corner of the box
        assert_eq!(px(44, 44), 9);
        // About π/4 of the box, and the detector box's central half inside.
        let whole = Rect {
            shape: Shape::Box,
            ..e
        };
        let share = covered_fraction(&whole, &[e]);
        assert!(
            (share - std::f32::consts::FRAC_PI_4).abs() < 0.03,
            "{share}"
        );
        let core = f.bbox.scaled(0.5, 0.5).to_rect(100, 100).unwrap();
        assert_eq!(covered_fraction(&core, &[e]), 1.0);
    }
}
