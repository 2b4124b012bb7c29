//! Opaque fills already in a picture: solid black regions with no hole, as
//! phiscrub (or a person with a paint tool) leaves them. A detection whose
//! core they cover is treated as covered from the start (the text network
//! still sees them as they are), so that a look at an output scrub wrote
//! (`phiscrub check clean/`) sees what scrub's own last look saw: a face the
//! detector imagines inside a black box, or "text" along a fill's edge, is
//! not a leak, and scrubbing an output again adds nothing.
//!
//! Light enclosed by a region (a hole) keeps the region's pixels near it
//! from counting: white text on a black screen or sign is light enclosed
//! by black, so the background around the letters is never taken for a
//! fill and its text is read as usual; fills that touch around a gap still
//! count away from the gap.
//! Bays are allowed (fills that overlap make staircases), and thin dark
//! structures joined to a fill (hair, a shadow line) are first shaved off
//! by a morphological opening. A natural region that passes (a switched-off
//! phone screen, a black letterbox) shows nothing, so nothing is lost by
//! calling it covered.

use crate::geometry::{Rect, dilate, neighbours};
use image::RgbImage;

/// Brightest channel value still counted as fill black. JPEG at the
/// qualities phiscrub writes keeps a black box within a few levels of 0;
/// its edge rings higher and is left out, which makes a region found
/// slightly smaller than the fill, never larger. Kept low: a face in deep
/// shadow at 15–30 still shows when brightened.
const DARK: u8 = 12;

/// Smallest region, in pixels, taken for a fill: below this a dark patch
/// is a pupil or a letter, and it hides nothing a detector would report.
const MIN_PIXELS: usize = 64;

/// Side of the square a fill pixel must lie in (all near-black): thinner
/// dark structures are not fills. phiscrub's fills are far thicker.
const CORE: usize = 5;

/// Pixels each region found is grown by on every side: JPEG rings for a
/// pixel or two along a fill's edge, above [`DARK`], and a sliver of ringing
/// left uncovered reads as a line of "text" along the fill.
const GROW: u32 = 2;

/// Light pixels a region may enclose and still be a fill whole: JPEG leaves
/// a stray brighter pixel where fills meet; a letter is larger.
const MAX_HOLE: usize = 4;

/// When a region encloses more than that, its pixels within this distance
/// of the enclosed light are not taken for fill. Around letters on a black
/// sign that leaves every letter and the dark between and around it in view
/// (a line's core is then far from the 90 % a detection needs to count as
/// covered); a face the detector imagines deep inside fills that touch
/// around a gap is still covered.
const HOLE_REACH: usize = 8;

/// The hole-free near-black regions of `rgb`, as horizontal strips (one
/// [`Rect`] per run of rows sharing the same span), in image pixels, each
/// grown by `GROW` pixels over the ringing along its edge.
///
/// ```
/// use phiscrub::prefilled::find;
/// let mut img = image::RgbImage::from_pixel(60, 40, image::Rgb([200, 180, 160]));
/// // A 40 × 30 black box: one region, one strip, grown by 2 px.
/// for y in 5..35 {
///     for x in 10..50 {
///         img.put_pixel(x, y, image::Rgb([0, 0, 0]));
///     }
/// }
/// let found = find(&img);
/// assert_eq!(found.len(), 1);
/// assert_eq!((found[0].x0, found[0].y0, found[0].x1, found[0].y1), (8, 3, 52, 37));
/// // A light letter inside it makes a hole: the black around the letter,
/// // within 8 px, is a sign's, not a fill's.
/// for y in 16..24 {
///     for x in 26..32 {
///         img.put_pixel(x, y, image::Rgb([250, 250, 250]));
///     }
/// }
/// // (What is found is grown by 2 px over JPEG ringing: 6 px are left.)
/// let near = |r: &phiscrub::Rect| r.x0 < 32 + 6 && r.x1 > 26 - 6 && r.y0 < 24 + 6 && r.y1 > 16 - 6;
/// let found = find(&img);
/// assert!(!found.is_empty() && !found.iter().any(near));
/// ```
pub fn find(rgb: &RgbImage) -> Vec<Rect> {
    find_all(rgb).strips
}

/// What [`find_all`] returns.
///
/// ```
/// use phiscrub::prefilled::find_all;
/// // A picture with no near-black region holds no fill at all.
/// let grey = image::RgbImage::from_pixel(40, 30, image::Rgb([90, 90, 90]));
/// let found = find_all(&grey);
/// assert!(found.strips.is_empty() && found.flat.is_empty());
/// ```
#[derive(Debug, Default, Clone)]
pub struct Found {
    /// Every region's strips, as [`find`] gives them.
    pub strips: Vec<Rect>,
    /// The strips of the regions flat black inside, as phiscrub's own fills
    /// are once decoded: the text network is shown these painted over
    /// (`detect::text`), so that rows of fills do not read as a block of
    /// text. Natural dark regions (a shadow, a black sign) are rarely that
    /// flat, and painting them would change what the network reads around
    /// them.
    pub flat: Vec<Rect>,
}

/// [`find`], with the strips of flat regions apart.
///
/// ```
/// use phiscrub::prefilled::find_all;
/// let mut img = image::RgbImage::from_pixel(80, 40, image::Rgb([200, 180, 160]));
/// // A flat black box, and a noisy dark patch as shadows are.
/// for y in 5..35 {
///     for x in 5..30 {
///         img.put_pixel(x, y, image::Rgb([0, 0, 0]));
///     }
///     for x in 45..75 {
///         let v = ((x * 7 + y * 13) % 11) as u8;
///         img.put_pixel(x, y, image::Rgb([v, v, v]));
///     }
/// }
/// let found = find_all(&img);
/// assert!(found.strips.iter().any(|r| r.x0 < 30) && found.strips.iter().any(|r| r.x0 > 40));
/// assert!(!found.flat.is_empty() && found.flat.iter().all(|r| r.x1 < 40));
/// ```
pub fn find_all(rgb: &RgbImage) -> Found {
    let (w, h) = (rgb.width() as usize, rgb.height() as usize);
    if w < CORE || h < CORE {
        return Found::default();
    }
    let level: Vec<u8> = rgb
        .as_raw()
        .chunks_exact(3)
        .map(|p| p[0].max(p[1]).max(p[2]))
        .collect();
    let dark: Vec<bool> = level.iter().map(|&v| v <= DARK).collect();
    let mask = opened(&dark, w, h);
    let mut seen = vec![false; w * h];
    let mut out = Found::default();
    let mut pixels: Vec<usize> = Vec::new();
    for start in 0..w * h {
        if !mask[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        pixels.clear();
        pixels.push(start);
        let mut k = 0;
        while k < pixels.len() {
            let i = pixels[k];
            k += 1;
            for j in neighbours(i, w, h) {
                if mask[j] && !seen[j] {
                    seen[j] = true;
                    pixels.push(j);
                }
            }
        }
        if pixels.len() >= MIN_PIXELS {
            let strips: Vec<Rect> = strips_without_holes(&pixels, w)
                .into_iter()
                .map(|r| Rect {
                    x0: r.x0.saturating_sub(GROW),
                    y0: r.y0.saturating_sub(GROW),
                    x1: (r.x1 + GROW).min(w as u32),
                    y1: (r.y1 + GROW).min(h as u32),
                    ..r
                })
                .collect();
            if is_flat(&pixels, w, &level) {
                out.flat.extend_from_slice(&strips);
            }
            out.strips.extend(strips);
        }
    }
    out
}

/// Distance from a region's edge, in pixels, beyond which its pixels are
/// judged for flatness: JPEG rings along a fill's edge.
const FLAT_INSET: usize = 3;

/// Brightest channel value a flat pixel may have: JPEG decodes the 8 × 8
/// blocks inside a black fill to 0 or 1.
const FLAT_LEVEL: u8 = 2;

/// Share of a region's inner pixels at most `FLAT_LEVEL` for it to be flat.
/// Inside phiscrub's fills at the qualities it writes nearly all are;
/// inside the dark regions of the shared text photos (shadows, screens,
/// signs) rarely more than four in five.
const FLAT_SHARE: f32 = 0.9;

/// Whether the pixels of a region farther than `FLAT_INSET` from its edge
/// are nearly all black to the level: a region too thin to have such
/// pixels (a thick stroke of a black letter) is not.
fn is_flat(pixels: &[usize], w: usize, level: &[u8]) -> bool {
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for &i in pixels {
        let (x, y) = (i % w, i / w);
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    let (bw, bh) = (x1 - x0 + 1, y1 - y0 + 1);
    let mut other = vec![true; bw * bh];
    for &i in pixels {
        other[(i / w - y0) * bw + (i % w - x0)] = false;
    }
    let near_edge = dilate(&other, bw, bh, FLAT_INSET);
    let (mut inner, mut black) = (0usize, 0usize);
    for dy in FLAT_INSET..bh.saturating_sub(FLAT_INSET) {
        for dx in FLAT_INSET..bw.saturating_sub(FLAT_INSET) {
            if !near_edge[dy * bw + dx] {
                inner += 1;
                black += usize::from(level[(y0 + dy) * w + x0 + dx] <= FLAT_LEVEL);
            }
        }
    }
    inner > 0 && black as f32 >= FLAT_SHARE * inner as f32
}

/// Morphological opening of `mask` by a `CORE` square: the pixels of every
/// all-true `CORE` × `CORE` square.
fn opened(mask: &[bool], w: usize, h: usize) -> Vec<bool> {
    // Squares (by top-left corner) that are all true: runs along rows, then
    // along columns; then every pixel such a square covers.
    let square = run_starts(&run_starts(mask, w, h, true), w, h, false);
    spread(&spread(&square, w, h, false), w, h, true)
}

/// Visits every cell of a `w` × `h` grid in memory order as (index, line,
/// position along the line), the lines being rows (`across`) or columns.
/// Columns are walked row by row too: stepping down a column touches a new
/// cache line at every cell, several times slower on a 12 MP photo.
fn cells(w: usize, h: usize, across: bool) -> impl Iterator<Item = (usize, usize, usize)> {
    (0..h).flat_map(move |y| {
        (0..w).map(move |x| {
            let (line, k) = if across { (y, x) } else { (x, y) };
            (y * w + x, line, k)
        })
    })
}

/// The index of the cell `k` along `line` (see [`cells`]).
fn at(w: usize, line: usize, k: usize, across: bool) -> usize {
    if across { line * w + k } else { k * w + line }
}

/// Marks the first cell of every run of `CORE` true cells along each line.
fn run_starts(mask: &[bool], w: usize, h: usize, across: bool) -> Vec<bool> {
    let mut out = vec![false; w * h];
    let mut run = vec![0usize; if across { h } else { w }];
    for (i, line, k) in cells(w, h, across) {
        run[line] = if mask[i] { run[line] + 1 } else { 0 };
        if run[line] >= CORE {
            out[at(w, line, k + 1 - CORE, across)] = true;
        }
    }
    out
}

/// Every true cell extended over the `CORE` cells that start with it
/// along each line.
fn spread(mask: &[bool], w: usize, h: usize, across: bool) -> Vec<bool> {
    let mut out = vec![false; w * h];
    let mut left = vec![0usize; if across { h } else { w }];
    for (i, line, _) in cells(w, h, across) {
        if mask[i] {
            left[line] = CORE;
        }
        if left[line] > 0 {
            out[i] = true;
            left[line] -= 1;
        }
    }
    out
}

/// The strips of one connected region; when it encloses more than
/// `MAX_HOLE` pixels that are not its own, only of its pixels farther than
/// `HOLE_REACH` from them.
fn strips_without_holes(pixels: &[usize], w: usize) -> Vec<Rect> {
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for &i in pixels {
        let (x, y) = (i % w, i / w);
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    let (bw, bh) = (x1 - x0 + 1, y1 - y0 + 1);
    if bw < 4 || bh < 4 {
        return Vec::new();
    }
    let mut own = vec![false; bw * bh];
    for &i in pixels {
        own[(i / w - y0) * bw + (i % w - x0)] = true;
    }
    // What is not the region's, reached from the box's border, is outside;
    // the rest is enclosed.
    let mut outside = vec![false; bw * bh];
    let mut stack: Vec<usize> = (0..bw * bh)
        .filter(|&i| {
            let (x, y) = (i % bw, i / bw);
            (x == 0 || y == 0 || x + 1 == bw || y + 1 == bh) && !own[i]
        })
        .collect();
    for &i in &stack {
        outside[i] = true;
    }
    while let Some(i) = stack.pop() {
        for j in neighbours(i, bw, bh) {
            if !own[j] && !outside[j] {
                outside[j] = true;
                stack.push(j);
            }
        }
    }
    let enclosed: Vec<bool> = own
        .iter()
        .zip(&outside)
        .map(|(o, out)| !*o && !*out)
        .collect();
    if enclosed.iter().filter(|&&e| e).count() > MAX_HOLE {
        // Light enclosed by dark: letters on a sign, or the gaps between
        // fills that touch. Only what lies farther than HOLE_REACH from
        // every such pixel counts; the rest stays in view.
        let near = dilate(&enclosed, bw, bh, HOLE_REACH);
        for (o, n) in own.iter_mut().zip(near) {
            *o &= !n;
        }
    }
    // Runs of each row; a run with the same span as one ending on the row
    // above extends it.
    let mut strips: Vec<Rect> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for dy in 0..bh {
        let y = (y0 + dy) as u32;
        let mut next_open = Vec::new();
        let mut dx = 0;
        while dx < bw {
            if !own[dy * bw + dx] {
                dx += 1;
                continue;
            }
            let start = dx;
            while dx < bw && own[dy * bw + dx] {
                dx += 1;
            }
            let (xa, xb) = ((x0 + start) as u32, (x0 + dx) as u32);
            match open
                .iter()
                .copied()
                .find(|&k| strips[k].x0 == xa && strips[k].x1 == xb)
            {
                Some(k) => {
                    strips[k].y1 = y + 1;
                    next_open.push(k);
                }
                None => {
                    strips.push(Rect {
                        x0: xa,
                        y0: y,
                        x1: xb,
                        y1: y + 1,
                        ..Default::default()
                    });
                    next_open.push(strips.len() - 1);
                }
            }
        }
        open = next_open;
    }
    strips
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Shape;

    fn rect(x0: u32, y0: u32, x1: u32, y1: u32) -> Rect {
        Rect::boxed(x0, y0, x1, y1)
    }

    #[test]
    fn an_ellipse_fill_is_found_row_by_row_and_a_ring_is_not() {
        let mut img = RgbImage::from_pixel(100, 80, image::Rgb([120, 140, 90]));
        let round = Rect {
            x0: 20,
            y0: 10,
            x1: 70,
            y1: 70,
            shape: Shape::Ellipse,
        };
        crate::redact::fill_rgb(&mut img, &[round]);
        let found = find(&img);
        // Every pixel of the ellipse is inside one of the strips.
        assert_eq!(crate::redact::covered_fraction(&round, &found), 1.0);
        assert!(
            found
                .iter()
                .all(|s| round.x0 <= s.x0 + 2 && s.x1 <= round.x1 + 2)
        );
        // Light letters inside (a white-on-black sign): nothing within
        // HOLE_REACH of them is taken for fill (less the 2 px growth).
        for x in 40..50 {
            for y in 38..41 {
                img.put_pixel(x, y, image::Rgb([240, 240, 240]));
            }
        }
        let found = find(&img);
        let apart = |s: &Rect| s.x1 + 6 <= 40 || s.x0 >= 50 + 6 || s.y1 + 6 <= 38 || s.y0 >= 41 + 6;
        assert!(found.iter().all(apart), "{found:?}");
    }

    #[test]
    fn fills_that_touch_around_a_gap_still_cover_what_lies_deep_inside() {
        use crate::detect::{Finding, FindingKind};
        use crate::geometry::BoxF;
        // Four face fills side by side, touching, around a light gap the
        // size of a letter (a crowd scrubbed face by face).
        let mut img = RgbImage::from_pixel(200, 120, image::Rgb([140, 120, 100]));
        let fills = [
            rect(20, 20, 80, 70),
            rect(78, 20, 140, 70),
            rect(20, 68, 80, 110),
            rect(78, 68, 140, 110),
        ];
        crate::redact::fill_rgb(&mut img, &fills);
        for y in 62..76 {
            for x in 72..86 {
                img.put_pixel(x, y, image::Rgb([200, 190, 180]));
            }
        }
        let found = find(&img);
        // A "face" the detector imagines inside the left fill, far from the
        // gap, is covered; one over the gap is not.
        let inside = Finding::new(FindingKind::Face, BoxF::new(24.0, 24.0, 30.0, 30.0), 0.3);
        assert!(crate::verify::residual(vec![inside], &found, 200, 120).is_empty());
        let gap = Finding::new(FindingKind::Face, BoxF::new(66.0, 56.0, 26.0, 26.0), 0.3);
        assert_eq!(
            crate::verify::residual(vec![gap.clone()], &found, 200, 120),
            vec![gap]
        );
    }

    #[test]
    fn letters_on_a_black_sign_stay_in_view_small_or_large() {
        use crate::detect::{Finding, FindingKind};
        use crate::geometry::BoxF;
        // White letters (vertical strokes) on a black sign, small and
        // large; the network's line outline over them is never covered.
        for (tall, stroke, pitch) in [(12u32, 2u32, 9u32), (24, 3, 18), (60, 6, 45)] {
            let mut img = RgbImage::from_pixel(600, 200, image::Rgb([150, 160, 170]));
            let sign = rect(20, 20, 580, 180);
            crate::redact::fill_rgb(&mut img, &[sign]);
            let (top, left, letters) = (100 - tall / 2, 60, 8);
            for k in 0..letters {
                for x in left + k * pitch..left + k * pitch + stroke {
                    for y in top..top + tall {
                        img.put_pixel(x, y, image::Rgb([245, 245, 245]));
                    }
                }
            }
            let line = Finding::new(
                FindingKind::Text,
                BoxF::new(
                    left as f32 - 4.0,
                    top as f32 - 3.0,
                    (letters * pitch) as f32,
                    tall as f32 + 6.0,
                ),
                0.9,
            );
            let found = find(&img);
            assert_eq!(
                crate::verify::residual(vec![line.clone()], &found, 600, 200),
                vec![line],
                "letters {tall} px tall"
            );
            // The sign's black far from the letters still counts.
            assert_eq!(
                crate::redact::covered_fraction(&rect(500, 30, 560, 70), &found),
                1.0
            );
        }
    }

    #[test]
    fn overlapping_fills_and_hair_beside_them_are_still_fills() {
        let mut img = RgbImage::from_pixel(120, 80, image::Rgb([150, 160, 170]));
        // Three face boxes of a row of people, overlapping at their edges
        // and at different heights: a staircase with bays, no hole.
        let boxes = [
            Rect {
                x0: 10,
                y0: 20,
                x1: 40,
                y1: 60,
                ..Default::default()
            },
            Rect {
                x0: 36,
                y0: 10,
                x1: 66,
                y1: 50,
                ..Default::default()
            },
            Rect {
                x0: 62,
                y0: 25,
                x1: 92,
                y1: 65,
                ..Default::default()
            },
        ];
        crate::redact::fill_rgb(&mut img, &boxes);
        // Dark strands of hair, 2 px thick, running from the top box.
        for y in 0..10 {
            for x in [44, 45, 52, 53] {
                img.put_pixel(x, y, image::Rgb([10, 8, 6]));
            }
        }
        let found = find(&img);
        for b in &boxes {
            assert_eq!(crate::redact::covered_fraction(b, &found), 1.0, "{b:?}");
        }
        // The strands are not part of it.
        assert_eq!(
            crate::redact::covered_fraction(&rect(44, 0, 46, 8), &found),
            0.0
        );
    }

    #[test]
    fn small_or_thin_dark_patches_are_not_fills() {
        let mut img = RgbImage::from_pixel(50, 50, image::Rgb([200, 200, 200]));
        // A pupil: 6 × 6.
        for y in 10..16 {
            for x in 10..16 {
                img.put_pixel(x, y, image::Rgb([5, 5, 5]));
            }
        }
        // A stroke: 40 × 2.
        for x in 5..45 {
            for y in 30..32 {
                img.put_pixel(x, y, image::Rgb([0, 0, 0]));
            }
        }
        assert!(find(&img).is_empty());
    }
}
