//! Turning findings into filled regions and filling them. The fill overwrites
//! every channel of every covered pixel with opaque black: nothing of the
//! original survives, unlike a blur or mosaic that can be partly reversed.

use crate::detect::Finding;
use crate::geometry::{Rect, Shape};
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
    let mut spans: Vec<(u32, u32)> = Vec::new();
    for y in rect.y0..rect.y1 {
        let Some((x0, x1)) = rect.row_span(y) else {
            continue;
        };
        total += (x1 - x0) as u64;
        spans.clear();
        spans.extend(
            fills
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
    use crate::geometry::BoxF;
    use image::{GenericImageView, Rgba};

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
