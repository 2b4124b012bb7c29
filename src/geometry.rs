//! Boxes in image pixel coordinates, and the overlap arithmetic that detection,
//! redaction and verification share.

/// An axis-aligned box in pixels of the upright image: `(x, y)` is the top-left
/// corner, `w` and `h` the size. Coordinates are `f32` because detectors work
/// at a different scale and map back.
///
/// ```
/// use phiscrub::BoxF;
/// let b = BoxF::new(10.0, 20.0, 30.0, 40.0);
/// assert_eq!(b.area(), 1200.0);
/// assert_eq!(b.center(), (25.0, 40.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BoxF {
    /// Left edge, in pixels from the image's left side; not clipped to the
    /// image unless [`clipped`](Self::clipped) made it so.
    pub x: f32,
    /// Top edge, in pixels from the image's top.
    pub y: f32,
    /// Width in pixels; `x + w` is the right edge. A negative width counts as
    /// empty.
    pub w: f32,
    /// Height in pixels; `y + h` is the bottom edge. A negative height counts
    /// as empty.
    pub h: f32,
}

impl BoxF {
    /// A box from its top-left corner and size.
    ///
    /// ```
    /// let b = phiscrub::BoxF::new(1.0, 2.0, 3.0, 4.0);
    /// assert_eq!((b.x2(), b.y2()), (4.0, 6.0));
    /// ```
    pub fn new(x: f32, y: f32, w: f32, h: f32) -> Self {
        BoxF { x, y, w, h }
    }

    /// A box from two corners; an inverted box has zero size.
    ///
    /// ```
    /// use phiscrub::BoxF;
    /// assert_eq!(BoxF::from_corners(1.0, 2.0, 4.0, 6.0), BoxF::new(1.0, 2.0, 3.0, 4.0));
    /// assert_eq!(BoxF::from_corners(4.0, 0.0, 1.0, 1.0).area(), 0.0);
    /// ```
    pub fn from_corners(x1: f32, y1: f32, x2: f32, y2: f32) -> Self {
        BoxF {
            x: x1,
            y: y1,
            w: (x2 - x1).max(0.0),
            h: (y2 - y1).max(0.0),
        }
    }

    /// The smallest box holding a quadrilateral.
    ///
    /// ```
    /// use phiscrub::BoxF;
    /// let tilted = [[5.0, 0.0], [10.0, 5.0], [5.0, 10.0], [0.0, 5.0]];
    /// assert_eq!(BoxF::around(&tilted), BoxF::new(0.0, 0.0, 10.0, 10.0));
    /// ```
    pub fn around(q: &Quad) -> BoxF {
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for &[x, y] in q {
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
        BoxF::from_corners(x0, y0, x1, y1)
    }

    /// The box cut to a `width` × `height` image.
    ///
    /// ```
    /// use phiscrub::BoxF;
    /// let b = BoxF::new(-5.0, 90.0, 20.0, 20.0).clipped(100, 100);
    /// assert_eq!(b, BoxF::new(0.0, 90.0, 15.0, 10.0));
    /// ```
    pub fn clipped(&self, width: u32, height: u32) -> BoxF {
        BoxF::from_corners(
            self.x.max(0.0),
            self.y.max(0.0),
            self.x2().min(width as f32),
            self.y2().min(height as f32),
        )
    }

    /// The right edge.
    ///
    /// ```
    /// assert_eq!(phiscrub::BoxF::new(1.0, 0.0, 2.0, 2.0).x2(), 3.0);
    /// ```
    pub fn x2(&self) -> f32 {
        self.x + self.w
    }

    /// The bottom edge.
    ///
    /// ```
    /// assert_eq!(phiscrub::BoxF::new(0.0, 1.0, 2.0, 2.0).y2(), 3.0);
    /// ```
    pub fn y2(&self) -> f32 {
        self.y + self.h
    }

    /// Width times height; a box with a negative side has none.
    ///
    /// ```
    /// assert_eq!(phiscrub::BoxF::new(0.0, 0.0, -2.0, 2.0).area(), 0.0);
    /// ```
    pub fn area(&self) -> f32 {
        self.w.max(0.0) * self.h.max(0.0)
    }

    /// The centre point.
    ///
    /// ```
    /// assert_eq!(phiscrub::BoxF::new(0.0, 0.0, 4.0, 2.0).center(), (2.0, 1.0));
    /// ```
    pub fn center(&self) -> (f32, f32) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    /// The area the two boxes share.
    ///
    /// ```
    /// use phiscrub::BoxF;
    /// let (a, b) = (BoxF::new(0.0, 0.0, 4.0, 4.0), BoxF::new(2.0, 2.0, 4.0, 4.0));
    /// assert_eq!(a.intersection(&b), 4.0);
    /// ```
    pub fn intersection(&self, other: &BoxF) -> f32 {
        let w = self.x2().min(other.x2()) - self.x.max(other.x);
        let h = self.y2().min(other.y2()) - self.y.max(other.y);
        if w <= 0.0 || h <= 0.0 { 0.0 } else { w * h }
    }

    /// Intersection over union, in `[0, 1]`.
    ///
    /// ```
    /// use phiscrub::BoxF;
    /// let (a, b) = (BoxF::new(0.0, 0.0, 4.0, 4.0), BoxF::new(2.0, 0.0, 4.0, 4.0));
    /// assert_eq!(a.iou(&b), 8.0 / 24.0);
    /// ```
    pub fn iou(&self, other: &BoxF) -> f32 {
        let inter = self.intersection(other);
        let union = self.area() + other.area() - inter;
        if union <= 0.0 { 0.0 } else { inter / union }
    }

    /// Scales the box about its centre: `sx`, `sy` are the new width and height
    /// as multiples of the old ones.
    ///
    /// ```
    /// use phiscrub::BoxF;
    /// assert_eq!(BoxF::new(10.0, 10.0, 10.0, 10.0).scaled(2.0, 1.0), BoxF::new(5.0, 10.0, 20.0, 10.0));
    /// ```
    pub fn scaled(&self, sx: f32, sy: f32) -> BoxF {
        let (cx, cy) = self.center();
        let (w, h) = (self.w * sx, self.h * sy);
        BoxF::new(cx - w / 2.0, cy - h / 2.0, w, h)
    }

    /// The whole pixels this box touches, clipped to a `width` × `height` image.
    /// Rounds outwards: a redaction must never leave a partly covered pixel.
    ///
    /// ```
    /// use phiscrub::BoxF;
    /// let r = BoxF::new(1.5, 1.5, 2.0, 2.0).to_rect(10, 10).unwrap();
    /// assert_eq!((r.x0, r.y0, r.x1, r.y1), (1, 1, 4, 4));
    /// assert!(BoxF::new(20.0, 0.0, 2.0, 2.0).to_rect(10, 10).is_none());
    /// ```
    pub fn to_rect(&self, width: u32, height: u32) -> Option<Rect> {
        let x0 = self.x.floor().max(0.0) as u32;
        let y0 = self.y.floor().max(0.0) as u32;
        let x1 = (self.x2().ceil().max(0.0) as u32).min(width);
        let y1 = (self.y2().ceil().max(0.0) as u32).min(height);
        (x0 < x1 && y0 < y1).then_some(Rect {
            x0,
            y0,
            x1,
            y1,
            ..Default::default()
        })
    }
}

/// A half-open pixel rectangle `[x0, x1) × [y0, y1)`, always inside its
/// image; as a region to fill, the whole rectangle, the ellipse inscribed in
/// it, or a convex quadrilateral (rotated text) it bounds (`shape`).
///
/// ```
/// use phiscrub::geometry::{Rect, Shape};
/// let r = Rect { x0: 0, y0: 0, x1: 10, y1: 10, shape: Shape::Ellipse };
/// assert!(r.contains(5, 5) && !r.contains(0, 0));
/// assert_eq!(r.row_span(5), Some((0, 10)));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rect {
    /// First column of the region (included), in image pixels.
    pub x0: u32,
    /// First row of the region (included).
    pub y0: u32,
    /// The column just past the region's last: the width is `x1 - x0`.
    pub x1: u32,
    /// The row just past the region's last: the height is `y1 - y0`.
    pub y1: u32,
    /// Which pixels of the rectangle belong to the region.
    pub shape: Shape,
}

/// The shape of a filled region within its rectangle.
///
/// ```
/// use phiscrub::geometry::{Rect, Shape};
/// let round = Rect { x0: 0, y0: 0, x1: 10, y1: 10, shape: Shape::Ellipse };
/// let square = Rect { shape: Shape::Box, ..round };
/// // The ellipse leaves the corners; the box fills them.
/// assert!(!round.contains(0, 0) && square.contains(0, 0));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Shape {
    /// Every pixel of the rectangle.
    #[default]
    Box,
    /// The pixels whose centres lie inside the inscribed ellipse.
    Ellipse,
    /// Every pixel that a convex quadrilateral (corners in order, image
    /// pixel coordinates) touches, even partly.
    Quad(Quad),
}

/// Four corners of a convex quadrilateral, in order around it.
///
/// ```
/// let q: phiscrub::geometry::Quad = [[0.0, 0.0], [8.0, 0.0], [8.0, 2.0], [0.0, 2.0]];
/// assert_eq!(phiscrub::BoxF::around(&q).area(), 16.0);
/// ```
pub type Quad = [[f32; 2]; 4];

/// A quadrilateral's thickness: the shorter of its first two sides (for a
/// text line's outline, the line height, whichever way the line runs).
///
/// ```
/// use phiscrub::geometry::quad_thickness;
/// assert_eq!(quad_thickness(&[[0.0, 0.0], [30.0, 0.0], [30.0, 8.0], [0.0, 8.0]]), 8.0);
/// // A line running down the page is 8 px thick too.
/// assert_eq!(quad_thickness(&[[0.0, 0.0], [8.0, 0.0], [8.0, 30.0], [0.0, 30.0]]), 8.0);
/// ```
pub fn quad_thickness(q: &Quad) -> f32 {
    Sides::of(q).thick
}

/// An oriented outline's first two sides (corner 0 to 1, then 1 to 2) and
/// their lengths: which runs along it and which across.
pub(crate) struct Sides {
    pub(crate) first: [f32; 2],
    pub(crate) second: [f32; 2],
    pub(crate) long: f32,
    pub(crate) thick: f32,
    pub(crate) first_longer: bool,
}

impl Sides {
    pub(crate) fn of(q: &Quad) -> Sides {
        let first = [q[1][0] - q[0][0], q[1][1] - q[0][1]];
        let second = [q[2][0] - q[1][0], q[2][1] - q[1][1]];
        let (la, lb) = (first[0].hypot(first[1]), second[0].hypot(second[1]));
        Sides {
            first,
            second,
            long: la.max(lb),
            thick: la.min(lb),
            first_longer: la >= lb,
        }
    }
}

impl Rect {
    /// A box from its corners (`x1`, `y1` exclusive).
    ///
    /// ```
    /// use phiscrub::Rect;
    /// let r = Rect::boxed(2, 3, 10, 7);
    /// assert_eq!((r.x0, r.y0, r.x1, r.y1), (2, 3, 10, 7));
    /// assert_eq!(r.row_span(5), Some((2, 10)));
    /// ```
    pub fn boxed(x0: u32, y0: u32, x1: u32, y1: u32) -> Rect {
        Rect {
            x0,
            y0,
            x1,
            y1,
            ..Default::default()
        }
    }

    /// The columns `[a, b)` of row `y` that belong to the region, or `None`
    /// when the row holds none of it.
    ///
    /// ```
    /// use phiscrub::Rect;
    /// let r = Rect { x0: 2, y0: 0, x1: 6, y1: 3, ..Default::default() };
    /// assert_eq!(r.row_span(1), Some((2, 6)));
    /// assert_eq!(r.row_span(3), None);
    /// ```
    pub fn row_span(&self, y: u32) -> Option<(u32, u32)> {
        if y < self.y0 || y >= self.y1 || self.x0 >= self.x1 {
            return None;
        }
        match self.shape {
            Shape::Box => Some((self.x0, self.x1)),
            Shape::Ellipse => {
                let (cx, cy) = (
                    (self.x0 + self.x1) as f64 / 2.0,
                    (self.y0 + self.y1) as f64 / 2.0,
                );
                let (a, b) = (self.width() as f64 / 2.0, self.height() as f64 / 2.0);
                let t = (y as f64 + 0.5 - cy) / b;
                if t.abs() >= 1.0 {
                    return None;
                }
                let half = a * (1.0 - t * t).sqrt();
                // Columns whose centre x + 0.5 lies within [cx - half, cx + half].
                let lo = (cx - half - 0.5).ceil().max(self.x0 as f64) as u32;
                let hi = ((cx + half - 0.5).floor() + 1.0).min(self.x1 as f64) as u32;
                (lo < hi).then_some((lo, hi))
            }
            Shape::Quad(q) => {
                let (lo, hi) = quad_strip(&q, y as f32, y as f32 + 1.0)?;
                let lo = (lo.floor().max(self.x0 as f32)) as u32;
                let hi = (hi.ceil().min(self.x1 as f32)) as u32;
                (lo < hi).then_some((lo, hi))
            }
        }
    }

    /// The region a quadrilateral fills: its outward-rounded bounds, clipped
    /// to a `width` × `height` image, with the quadrilateral as shape.
    ///
    /// ```
    /// use phiscrub::Rect;
    /// let diamond = [[5.0, 0.0], [10.0, 5.0], [5.0, 10.0], [0.0, 5.0]];
    /// let r = Rect::from_quad(diamond, 100, 100).unwrap();
    /// assert!(r.contains(5, 5) && !r.contains(0, 0));
    /// ```
    pub fn from_quad(q: Quad, width: u32, height: u32) -> Option<Rect> {
        let bounds = BoxF::around(&q);
        let mut r = bounds.to_rect(width, height)?;
        r.shape = Shape::Quad(q);
        Some(r)
    }

    /// Columns spanned.
    ///
    /// ```
    /// assert_eq!(phiscrub::Rect { x0: 2, x1: 5, ..Default::default() }.width(), 3);
    /// ```
    pub fn width(&self) -> u32 {
        self.x1 - self.x0
    }

    /// Rows spanned.
    ///
    /// ```
    /// assert_eq!(phiscrub::Rect { y0: 1, y1: 5, ..Default::default() }.height(), 4);
    /// ```
    pub fn height(&self) -> u32 {
        self.y1 - self.y0
    }

    /// Whether pixel `(x, y)` is part of the region (its shape, not only
    /// its bounds).
    ///
    /// ```
    /// let r = phiscrub::Rect { x0: 0, y0: 0, x1: 2, y1: 2, ..Default::default() };
    /// assert!(r.contains(1, 1) && !r.contains(2, 1));
    /// ```
    pub fn contains(&self, x: u32, y: u32) -> bool {
        self.row_span(y).is_some_and(|(a, b)| x >= a && x < b)
    }
}

/// The x extent of a convex polygon's intersection with the horizontal strip
/// `[top, bottom]`: the corners inside it and the crossings of its edges with
/// the strip's two lines.
fn quad_strip(q: &Quad, top: f32, bottom: f32) -> Option<(f32, f32)> {
    let (mut lo, mut hi) = (f32::INFINITY, f32::NEG_INFINITY);
    let mut take = |x: f32| {
        lo = lo.min(x);
        hi = hi.max(x);
    };
    for i in 0..4 {
        let ([ax, ay], [bx, by]) = (q[i], q[(i + 1) % 4]);
        if ay >= top && ay <= bottom {
            take(ax);
        }
        for line in [top, bottom] {
            if (ay - line) * (by - line) < 0.0 {
                take(ax + (bx - ax) * (line - ay) / (by - ay));
            }
        }
    }
    (lo <= hi).then_some((lo, hi))
}

/// Greedy non-maximum suppression: keeps the highest-scoring box of every
/// group whose pairwise IoU reaches `iou`. Returns the kept indices, best first.
///
/// ```
/// use phiscrub::geometry::nms;
/// use phiscrub::BoxF;
/// let boxes = [BoxF::new(0.0, 0.0, 10.0, 10.0), BoxF::new(1.0, 0.0, 10.0, 10.0), BoxF::new(50.0, 0.0, 5.0, 5.0)];
/// assert_eq!(nms(&boxes, &[0.5, 0.9, 0.7], 0.5), vec![1, 2]);
/// ```
pub fn nms(boxes: &[BoxF], scores: &[f32], iou: f32) -> Vec<usize> {
    debug_assert_eq!(boxes.len(), scores.len());
    let mut order: Vec<usize> = (0..boxes.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut suppressed = vec![false; boxes.len()];
    let mut keep = Vec::new();
    for (pos, &i) in order.iter().enumerate() {
        if suppressed[i] {
            continue;
        }
        keep.push(i);
        for &j in &order[pos + 1..] {
            if !suppressed[j] && boxes[i].iou(&boxes[j]) >= iou {
                suppressed[j] = true;
            }
        }
    }
    keep
}

/// Of the `kept` indices, drops each box that has at least `share` of its
/// area inside a larger kept box scoring at least as high. Keeps the order
/// of `kept`. A weaker large box never hides a stronger one inside it: the
/// large one may stay below the fill threshold, and the face inside it must
/// still be covered.
///
/// ```
/// use phiscrub::geometry::suppress_contained;
/// use phiscrub::BoxF;
/// let boxes = [BoxF::new(0.0, 0.0, 20.0, 20.0), BoxF::new(5.0, 5.0, 4.0, 4.0)];
/// // The small box inside a stronger large one is the same thing again.
/// assert_eq!(suppress_contained(&boxes, &[0.9, 0.5], &[1, 0], 0.9), vec![0]);
/// // Inside a weaker one, it stays.
/// assert_eq!(suppress_contained(&boxes, &[0.16, 0.82], &[1, 0], 0.9), vec![1, 0]);
/// ```
pub fn suppress_contained(
    boxes: &[BoxF],
    scores: &[f32],
    kept: &[usize],
    share: f32,
) -> Vec<usize> {
    kept.iter()
        .copied()
        .filter(|&i| {
            let a = boxes[i].area();
            !kept.iter().any(|&j| {
                j != i
                    && scores[j] >= scores[i]
                    && boxes[j].area() > a
                    && boxes[i].intersection(&boxes[j]) >= share * a
            })
        })
        .collect()
}

/// The 4-connected neighbours of cell `i` of a `w` × `h` grid, row-major
/// (the flood fills of `prefilled` and of the text detector's windows and
/// patches).
pub(crate) fn neighbours(i: usize, w: usize, h: usize) -> impl Iterator<Item = usize> {
    let (x, y) = (i % w, i / w);
    [
        (x > 0).then(|| i - 1),
        (x + 1 < w).then(|| i + 1),
        (y > 0).then(|| i - w),
        (y + 1 < h).then(|| i + w),
    ]
    .into_iter()
    .flatten()
}

/// `cells` grown by `r` in every direction (a square neighbourhood).
pub(crate) fn dilate(cells: &[bool], w: usize, h: usize, r: usize) -> Vec<bool> {
    let mut rows = vec![false; w * h];
    for y in 0..h {
        let src = &cells[y * w..(y + 1) * w];
        let dst = &mut rows[y * w..(y + 1) * w];
        for x in (0..w).filter(|&x| src[x]) {
            dst[x.saturating_sub(r)..(x + r + 1).min(w)].fill(true);
        }
    }
    let mut out = vec![false; w * h];
    for y in 0..h {
        for x in (0..w).filter(|&x| rows[y * w + x]) {
            for yy in y.saturating_sub(r)..(y + r + 1).min(h) {
                out[yy * w + x] = true;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contained_boxes_go_and_neighbours_stay() {
        let boxes = [
            BoxF::new(0.0, 0.0, 100.0, 100.0),
            BoxF::new(30.0, 30.0, 10.0, 10.0), // inside the first
            BoxF::new(95.0, 40.0, 20.0, 20.0), // a quarter inside
        ];
        assert_eq!(
            suppress_contained(&boxes, &[0.9, 0.5, 0.5], &[1, 0, 2], 0.8),
            vec![0, 2]
        );
    }

    #[test]
    fn iou_of_identical_and_disjoint_boxes() {
        let a = BoxF::new(0.0, 0.0, 10.0, 10.0);
        assert_eq!(a.iou(&a), 1.0);
        assert_eq!(a.iou(&BoxF::new(20.0, 20.0, 5.0, 5.0)), 0.0);
        let half = BoxF::new(5.0, 0.0, 10.0, 10.0);
        assert!((a.iou(&half) - 50.0 / 150.0).abs() < 1e-6);
    }

    #[test]
    fn nms_keeps_best_of_overlapping_and_all_separate() {
        let boxes = [
            BoxF::new(0.0, 0.0, 10.0, 10.0),
            BoxF::new(1.0, 1.0, 10.0, 10.0),
            BoxF::new(50.0, 50.0, 10.0, 10.0),
        ];
        let keep = nms(&boxes, &[0.5, 0.9, 0.3], 0.3);
        assert_eq!(keep, vec![1, 2]);
    }

    #[test]
    fn to_rect_rounds_outwards_and_clips() {
        let r = BoxF::new(-3.2, 4.6, 10.0, 100.0).to_rect(8, 50).unwrap();
        assert_eq!(
            r,
            Rect {
                x0: 0,
                y0: 4,
                x1: 7,
                y1: 50,
                ..Default::default()
            }
        );
        assert!(BoxF::new(20.0, 20.0, 5.0, 5.0).to_rect(10, 10).is_none());
    }

    #[test]
    fn a_quad_fills_every_pixel_it_touches_and_no_other() {
        // A diamond centred on (10, 10) reaching 6 px in each direction.
        let q = [[10.0, 4.0], [16.0, 10.0], [10.0, 16.0], [4.0, 10.0]];
        let r = Rect::from_quad(q, 100, 100).unwrap();
        assert_eq!((r.x0, r.y0, r.x1, r.y1), (4, 4, 16, 16));
        // The row through the middle spans the whole width; the top row only
        // the two pixels the tip touches.
        assert_eq!(r.row_span(9), Some((4, 16)));
        assert_eq!(r.row_span(4), Some((9, 11)));
        assert!(r.contains(10, 10) && !r.contains(4, 4) && !r.contains(15, 15));
        // Every pixel whose centre is inside the diamond is filled.
        for y in 0..20u32 {
            for x in 0..20u32 {
                let (cx, cy) = (x as f32 + 0.5 - 10.0, y as f32 + 0.5 - 10.0);
                if cx.abs() + cy.abs() < 6.0 {
                    assert!(r.contains(x, y), "({x}, {y})");
                }
            }
        }
        // Clipped to the image.
        let r = Rect::from_quad(q, 12, 12).unwrap();
        assert_eq!((r.x1, r.y1), (12, 12));
        assert_eq!(r.row_span(9), Some((4, 12)));
    }

    #[test]
    fn scaled_keeps_centre() {
        let b = BoxF::new(10.0, 10.0, 20.0, 10.0).scaled(2.0, 3.0);
        assert_eq!(b.center(), (20.0, 15.0));
        assert_eq!((b.w, b.h), (40.0, 30.0));
    }
}
