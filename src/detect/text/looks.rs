//! The looks policy: at which sizes and turns the network reads an image,
//! how fills already made are hidden from it, and which of its regions each
//! look keeps (the second look's doubt about thick blocks, the turned
//! look's lines that run up or down). Tuned on the shared text set; the
//! network's own post-processing is [`super::net`].

use super::TextParams;
use crate::geometry::{BoxF, Quad, Rect, Sides, dilate, neighbours, quad_thickness};

/// Images the first look enlarges by more than this factor get no second
/// look: enlarged further, they show texture the network reads as text (the
/// cat's fur in `fixtures/photos`, the black fills of a scrubbed picture
/// that `phiscrub check` looks at) rather than letters it missed.
const FIRST_LOOK_ENLARGES: f32 = 1.1;

/// Places the second look has shown to misread, for one image.
#[derive(Default)]
pub(super) struct Doubt {
    size: (u32, u32),
    zones: Vec<BoxF>,
}

impl Doubt {
    pub(super) fn new(size: (u32, u32)) -> Doubt {
        Doubt {
            size,
            zones: Vec::new(),
        }
    }

    /// Called before each look at a `size` image. A new size starts an
    /// image, as [`TextDetect::start`] does: the places misread in another
    /// image say nothing about this one. Later rounds and the output's
    /// checks keep what earlier calls learnt. (Whether anything is covered
    /// says nothing: a first round may paint fills the input already had.)
    pub(super) fn begin(&mut self, size: (u32, u32)) {
        if self.size != size {
            *self = Doubt::new(size);
        }
    }

    /// Drops from the second look's `found` (outlines in image pixels, with
    /// scores) every region thicker than `thickest` and every region centred
    /// where such a region lies, now or in an earlier call. Enlarged texture
    /// reads as thick blocks of text; what is left of such a block once
    /// fills beside it are painted over reads as thin fragments, one more
    /// after each fill, until the image is refused. Neither is kept: letters
    /// that large, and anything in such a place, the first look reads at
    /// its own scale.
    pub(super) fn sift(&mut self, found: &mut Vec<(Quad, f32)>, thickest: f32) {
        self.zones.extend(
            found
                .iter()
                .filter(|(q, _)| quad_thickness(q) > thickest)
                .map(|(q, _)| BoxF::around(q)),
        );
        let zones = &self.zones;
        found.retain(|(q, _)| {
            let (cx, cy) = BoxF::around(q).center();
            !zones
                .iter()
                .any(|z| cx >= z.x && cx <= z.x2() && cy >= z.y && cy <= z.y2())
        });
    }
}

/// What a look keeps of the regions it read (outlines in image pixels):
/// the turned look only lines that run up or down; a second look
/// (`thickest` set) nothing thicker than that, nor anything where such a
/// block lay (see [`Doubt::sift`]); and the turned look's lines widened
/// (see [`thickened`]).
pub(super) fn keep(
    found: &mut Vec<(Quad, f32)>,
    turned: bool,
    thickest: Option<f32>,
    doubt: &mut Doubt,
) {
    if turned {
        // Before the doubt zones: turned, level print reads as thick
        // blocks, and a zone left by one would drop the level lines the
        // enlarged upright look reads there in later rounds.
        found.retain(|(q, _)| runs_up_or_down(q));
    }
    if let Some(t) = thickest {
        doubt.sift(found, t);
    }
    if turned {
        // After the thickness limit, which judges what the network saw.
        for (q, _) in found.iter_mut() {
            *q = thickened(*q, TURNED_LINE);
        }
    }
}

/// The cells of the `nw` × `nh` network image whose centres fall in a filled
/// region of the `w` × `h` image, row-major; `None` when nothing is filled.
///
/// Text already covered is not text to find again, and leaving it out keeps
/// the detector from joining filled lines and the paper between them into
/// one block: a second look at a filled receipt would otherwise black out
/// the sheet.
pub(super) fn covered_cells(
    covered: &[Rect],
    (w, h): (u32, u32),
    (nw, nh): (u32, u32),
) -> Option<Vec<bool>> {
    if covered.is_empty() {
        return None;
    }
    let (sx, sy) = (w as f32 / nw as f32, h as f32 / nh as f32);
    let mut cells = vec![false; nw as usize * nh as usize];
    for row in 0..nh {
        let y = (((row as f32 + 0.5) * sy) as u32).min(h - 1);
        let line = &mut cells[row as usize * nw as usize..][..nw as usize];
        for r in covered {
            if let Some((a, b)) = r.row_span(y) {
                // Columns whose centre x satisfies a <= x < b.
                let first = ((a as f32 / sx - 0.5).ceil().max(0.0)) as usize;
                let end = ((b as f32 / sx - 0.5).ceil().max(0.0) as usize).min(nw as usize);
                if first < end {
                    line[first..end].fill(true);
                }
            }
        }
    }
    Some(dilate(&cells, nw as usize, nh as usize, FILL_HALO))
}

/// Cells beside a fill hidden with it, in network pixels. Encoding rings
/// around a black fill for a few pixels; left in view, that halo reads as
/// text fragments at every fill's edge, each of which a look at the output
/// would fill, uncovering the next.
const FILL_HALO: usize = 2;

/// Paints the `hidden` cells of RGB `pixels` with the colour around them.
///
/// Filled regions are black; the paper left between filled lines then reads
/// to the detector as white text on black (probability near 1 over whole
/// receipts). Showing it the page without the bars keeps that from happening
/// while the ends of a line a fill cut short stay in view. Each connected
/// patch of hidden cells takes one colour, the median of the visible pixels
/// bordering it: painting row by row instead leaves horizontal stripes where
/// the background changes, and stripes read as text.
pub(super) fn paint_over(pixels: &mut [u8], hidden: &[bool], (nw, nh): (u32, u32)) {
    let (nw, nh) = (nw as usize, nh as usize);
    let mut seen = vec![false; nw * nh];
    let (mut stack, mut members, mut ring) = (Vec::new(), Vec::new(), Vec::new());
    let mut border: [Vec<u8>; 3] = Default::default();
    for start in 0..nw * nh {
        if !hidden[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        members.clear();
        ring.clear();
        while let Some(i) = stack.pop() {
            members.push(i);
            for j in neighbours(i, nw, nh) {
                if !hidden[j] {
                    ring.push(j);
                } else if !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
        ring.sort_unstable();
        ring.dedup();
        for c in &mut border {
            c.clear();
        }
        for &j in &ring {
            for (c, v) in border.iter_mut().zip(&pixels[j * 3..j * 3 + 3]) {
                c.push(*v);
            }
        }
        let colour = if ring.is_empty() {
            [128, 128, 128]
        } else {
            border.each_mut().map(|c| {
                let mid = c.len() / 2;
                *c.select_nth_unstable(mid).1
            })
        };
        for &i in &members {
            pixels[i * 3..i * 3 + 3].copy_from_slice(&colour);
        }
    }
}

/// The resized image: scaled up so the shorter side reaches `min_side`, or
/// down so the longer fits `detail_side`. Tiles are padded to multiples of 32
/// when packed, so the size itself is not rounded.
fn network_size(w: u32, h: u32, p: &TextParams) -> (u32, u32) {
    let mut s = 1.0f32;
    if w.min(h) < p.min_side {
        s = p.min_side as f32 / w.min(h) as f32;
    }
    if w.max(h) as f32 * s > p.detail_side as f32 {
        s = p.detail_side as f32 / w.max(h) as f32;
    }
    let size = |v: u32| ((v as f32 * s).round() as u32).max(1);
    (size(w), size(h))
}

/// Regions thinner than this many image pixels are specks, not glyphs.
pub(super) const SPECK: f32 = 2.0;

/// The thinnest region, in network pixels, that is not a speck when a
/// `w`-pixel-wide image is read `nw` network pixels wide. Specks are judged
/// in image pixels: enlarged, grain and JPEG ringing grow into regions the
/// size of a speck at the image's own scale. Never below [`SPECK`] network
/// pixels, for images read smaller than they are.
pub(super) fn speck(w: u32, nw: u32) -> f32 {
    SPECK * (nw as f32 / w as f32).max(1.0)
}

/// How one look reads an image: resized to `size` (upright), and turned a
/// quarter clockwise after resizing when `turned`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Look {
    pub(super) size: (u32, u32),
    pub(super) turned: bool,
}

/// How a `w` × `h` image is read: the first look, and the second
/// (`second_side`, upright and, with `turned`, turned) when the image is
/// smaller than that and the first look barely enlarges it.
pub(super) fn looks(w: u32, h: u32, p: &TextParams) -> Vec<Look> {
    let upright = |size| Look {
        size,
        turned: false,
    };
    let first = network_size(w, h, p);
    let near_native = w.min(h) as f32 * FIRST_LOOK_ENLARGES >= p.min_side as f32;
    if !near_native || w.min(h) >= p.second_side {
        return vec![upright(first)];
    }
    let up = TextParams {
        min_side: p.second_side,
        ..*p
    };
    let second = network_size(w, h, &up);
    if second == first {
        return vec![upright(first)];
    }
    let mut out = vec![upright(first), upright(second)];
    if p.turned {
        out.push(Look {
            size: second,
            turned: true,
        });
    }
    out
}

/// A line the turned look keeps is at least this many times longer than it
/// is thick (a word of three letters or more). Turned, pillars and shelf
/// edges read as "text" 2–2.9 times longer than thick, and the edges of the
/// fills put over them as more such blocks, a new one after each fill,
/// until the image is refused; vertical words come out well over three
/// times longer than thick.
const TURNED_LINE: f32 = 3.0;

/// The shortest line, in image pixels, the turned look keeps. Shorter, it
/// reads folds in clothes and legs as "text": slivers on a pair of
/// trousers, once filled, read as a block at the output's verification and
/// refused the photo. A vertical word shorter than this has letters too
/// small to read.
const TURNED_SHORTEST: f32 = 24.0;

/// The most a turned line's fill is widened, as a multiple of the thickness
/// the network found: blurred letters up a bottle read as a core about
/// half their height.
const TURNED_WIDEN: f32 = 2.0;

/// Whether an outline (in upright pixels) is a line running up or down, at
/// least [`TURNED_SHORTEST`] long: the turned look is there for those. Text
/// in a short or level block the upright looks read.
fn runs_up_or_down(q: &Quad) -> bool {
    let s = Sides::of(q);
    let along = if s.first_longer { s.first } else { s.second };
    along[1].abs() > along[0].abs() && s.long >= TURNED_LINE * s.thick && s.long >= TURNED_SHORTEST
}

/// An oriented outline widened about its long axis, where needed, to at
/// least its length over `ratio`. Blurred letters up a bottle or tube (the
/// turned look's lines) read as a thin core: a fill grown from it by the
/// usual margin covers about half the letters' height and leaves their
/// edges. A line the turned look keeps is at
/// least [`TURNED_LINE`] times longer than thick, so this is the widest
/// fill its shape allows. It grows to at most [`TURNED_WIDEN`] times the
/// thickness found: a long crisp line is read at its true thickness, and
/// widening it to a third of its length would fill a band beside it.
fn thickened(q: Quad, ratio: f32) -> Quad {
    let s = Sides::of(&q);
    let across = if s.first_longer { s.second } else { s.first };
    let want = (s.long / ratio).min(TURNED_WIDEN * s.thick);
    if s.thick <= 0.0 || want <= s.thick {
        return q;
    }
    // Each long side moves out by half the missing thickness.
    let g = (want - s.thick) / 2.0 / s.thick;
    let d = [across[0] * g, across[1] * g];
    let out = |p: [f32; 2], s: f32| [p[0] + s * d[0], p[1] + s * d[1]];
    if s.first_longer {
        [
            out(q[0], -1.0),
            out(q[1], -1.0),
            out(q[2], 1.0),
            out(q[3], 1.0),
        ]
    } else {
        [
            out(q[0], -1.0),
            out(q[1], 1.0),
            out(q[2], 1.0),
            out(q[3], -1.0),
        ]
    }
}

/// A `w` × `h` raster of `channels` values per pixel, turned a quarter
/// clockwise (`h` wide, `w` tall): the top row becomes the right column.
pub(super) fn turn<T: Copy>(src: &[T], channels: usize, (w, h): (u32, u32)) -> Vec<T> {
    let (w, h) = (w as usize, h as usize);
    let mut out = Vec::with_capacity(src.len());
    for x in 0..w {
        for y in (0..h).rev() {
            let i = (y * w + x) * channels;
            out.extend_from_slice(&src[i..i + channels]);
        }
    }
    out
}

/// An outline found in the turned image (see [`turn`]) of an upright image
/// `h` pixels tall, in the upright image's pixels, corners again clockwise
/// from the top-left.
pub(super) fn turned_back(q: Quad, h: u32) -> Quad {
    let [a, b, c, d] = q.map(|[x, y]| [y, h as f32 - x]);
    // The turned outline's top-left corner is the upright one's bottom-left.
    [b, c, d, a]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::text::net::regions;
    use crate::geometry::Shape;

    #[test]
    fn only_photos_read_near_their_own_size_get_a_second_larger_look() {
        let p = TextParams::default();
        let sizes = |w, h, p: &TextParams| {
            let l = looks(w, h, p);
            let turned: Vec<bool> = l.iter().map(|l| l.turned).collect();
            (l.into_iter().map(|l| l.size).collect::<Vec<_>>(), turned)
        };
        // A 1280×720 frame: read at about its size, then at 1920×1080,
        // upright and turned.
        assert_eq!(
            sizes(1280, 720, &p),
            (
                vec![(1308, 736), (1920, 1080), (1920, 1080)],
                vec![false, false, true]
            )
        );
        // 512×600 is already enlarged 1.4× by the first look: one look (at
        // 2× more, fur and black fills read as text).
        assert_eq!(sizes(512, 600, &p), (vec![(736, 863)], vec![false]));
        // A 12 MP photo is larger than the second look asks for, and so
        // are the 1600×1200 synthetic wristband and screen scenes.
        assert_eq!(sizes(4032, 3024, &p), (vec![(2048, 1536)], vec![false]));
        assert_eq!(sizes(1600, 1200, &p), (vec![(1600, 1200)], vec![false]));
        // Switched off.
        let once = TextParams {
            second_side: 0,
            ..p
        };
        assert_eq!(sizes(1280, 720, &once), (vec![(1308, 736)], vec![false]));
        let upright = TextParams { turned: false, ..p };
        assert_eq!(
            sizes(1280, 720, &upright),
            (vec![(1308, 736), (1920, 1080)], vec![false, false])
        );
    }

    #[test]
    fn a_turned_look_maps_its_outlines_back_onto_the_upright_image() {
        // 3 wide, 2 tall, one value per pixel: turned, 2 wide and 3 tall,
        // the bottom row read upwards becomes the top row.
        let upright = [1, 2, 3, 4, 5, 6];
        assert_eq!(turn(&upright, 1, (3, 2)), vec![4, 1, 5, 2, 6, 3]);
        // Pixel (2, 0) of the upright image is pixel (1, 2) turned; the
        // outline of that pixel, turned back, is the upright pixel's, top-left
        // corner first.
        let seen = [[1.0, 2.0], [2.0, 2.0], [2.0, 3.0], [1.0, 3.0]];
        assert_eq!(
            turned_back(seen, 2),
            [[2.0, 0.0], [3.0, 0.0], [3.0, 1.0], [2.0, 1.0]]
        );
    }

    #[test]
    fn thin_turned_lines_are_widened_to_a_third_of_their_length_at_most_twice() {
        let near = |a: Quad, b: Quad| {
            let off = (0..4).map(|i| (a[i][0] - b[i][0]).abs() + (a[i][1] - b[i][1]).abs());
            assert!(off.fold(0.0, f32::max) < 1e-3, "{a:?} is not {b:?}");
        };
        // Blurred letters up a tube read as a core 13 px thick and 69 long;
        // its fill is widened about its axis to 23 px, both sides alike.
        let core = [
            [216.0, 636.0],
            [229.0, 636.0],
            [229.0, 705.0],
            [216.0, 705.0],
        ];
        near(
            thickened(core, TURNED_LINE),
            [
                [211.0, 636.0],
                [234.0, 636.0],
                [234.0, 705.0],
                [211.0, 705.0],
            ],
        );
        // Whichever side the outline lists first.
        let level = [[0.0, 0.0], [69.0, 0.0], [69.0, 13.0], [0.0, 13.0]];
        near(
            thickened(level, TURNED_LINE),
            [[0.0, -5.0], [69.0, -5.0], [69.0, 18.0], [0.0, 18.0]],
        );
        // An outline already a third as thick as long is left alone.
        let fat = [[0.0, 0.0], [30.0, 0.0], [30.0, 60.0], [0.0, 60.0]];
        assert_eq!(thickened(fat, TURNED_LINE), fat);
        // A long crisp line grows to twice its thickness, not to a third
        // of its length (67 px, a band of wall beside a 10 px line).
        let banner = [[0.0, 0.0], [10.0, 0.0], [10.0, 200.0], [0.0, 200.0]];
        near(
            thickened(banner, TURNED_LINE),
            [[-5.0, 0.0], [15.0, 0.0], [15.0, 200.0], [-5.0, 200.0]],
        );
    }

    #[test]
    fn a_look_judges_what_the_network_read_then_widens_turned_lines() {
        let upright = |x: f32, w: f32, h: f32| [[x, 0.0], [x + w, 0.0], [x + w, h], [x, h]];
        let mut doubt = Doubt::new((1280, 720));
        // Turned: a vertical line 40 px thick passes the 48 px limit as
        // read, and is widened to 66 px only after; a level block 60 px
        // thick is not a turned line, and leaves no zone.
        let line = upright(100.0, 40.0, 200.0);
        let block = upright(400.0, 160.0, 60.0);
        let mut found = vec![(line, 0.9), (block, 0.9)];
        keep(&mut found, true, Some(48.0), &mut doubt);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!((quad_thickness(&found[0].0) - 200.0 / 3.0).abs() < 1e-3);
        assert!(doubt.zones.is_empty(), "{:?}", doubt.zones);
        // Upright, the same block is too thick and leaves a zone, which
        // drops a thin fragment read there later.
        let mut found = vec![(block, 0.9)];
        keep(&mut found, false, Some(48.0), &mut doubt);
        assert!(found.is_empty());
        let mut later = vec![(upright(470.0, 20.0, 10.0), 0.9)];
        keep(&mut later, false, Some(48.0), &mut doubt);
        assert!(later.is_empty());
        // The first look (no limit) keeps what it read, as read.
        let mut first = vec![(block, 0.9), (line, 0.9)];
        keep(&mut first, false, None, &mut doubt);
        assert_eq!(first, vec![(block, 0.9), (line, 0.9)]);
    }

    #[test]
    fn the_turned_look_keeps_lines_that_run_up_or_down_only() {
        let upright = |w: f32, h: f32| [[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]];
        // "mentos" up a sweet tube: 18 px thick, 76 px long.
        assert!(runs_up_or_down(&upright(18.0, 76.0)));
        // A level line, a block beside a fill as thick as it is long, and
        // a pillar's edge 2.5 times longer than thick.
        assert!(!runs_up_or_down(&upright(76.0, 18.0)));
        assert!(!runs_up_or_down(&upright(22.0, 18.0)));
        assert!(!runs_up_or_down(&upright(50.0, 126.0)));
        // A steep slanted line: along (12, 60), across (-15, 3).
        let steep = [[15.0, 0.0], [27.0, 60.0], [12.0, 63.0], [0.0, 3.0]];
        assert!(runs_up_or_down(&steep));
        // A sliver on a trouser leg: 5.5 px thick, but only 20 px long.
        assert!(!runs_up_or_down(&upright(5.5, 20.0)));
        assert!(runs_up_or_down(&upright(5.5, 25.0)));
    }

    #[test]
    fn a_fill_is_hidden_with_its_halo_and_nothing_else() {
        // A 40×20 image read at 20×10 network pixels: one network pixel is
        // 2×2 image pixels. A fill over image columns 10..20, rows 4..12.
        let fill = Rect {
            x0: 10,
            y0: 4,
            x1: 20,
            y1: 12,
            shape: Shape::Box,
        };
        assert!(covered_cells(&[], (40, 20), (20, 10)).is_none());
        let hidden = covered_cells(&[fill], (40, 20), (20, 10)).unwrap();
        let on = |x: usize, y: usize| hidden[y * 20 + x];
        // The fill is network columns 5..10, rows 2..6; the halo adds
        // FILL_HALO (2) on every side.
        for y in 0..10 {
            for x in 0..20 {
                let inside = (3..12).contains(&x) && (0..8).contains(&y);
                assert_eq!(on(x, y), inside, "cell {x},{y}");
            }
        }
    }

    #[test]
    fn hidden_patches_take_the_colour_that_borders_them() {
        // Left half red, right half blue, 8×4 pixels; one hidden patch in
        // each half and nothing else touched.
        let (w, h) = (8usize, 4usize);
        let mut px: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                if i % w < 4 {
                    [200, 10, 10]
                } else {
                    [10, 10, 200]
                }
            })
            .collect();
        let before = px.clone();
        let mut hidden = vec![false; w * h];
        for (x, y) in [(1, 1), (1, 2), (6, 1), (6, 2)] {
            hidden[y * w + x] = true;
        }
        // The patches were painted black by the fill: the median of their
        // border must not see that.
        for i in (0..w * h).filter(|&i| hidden[i]) {
            px[i * 3..i * 3 + 3].copy_from_slice(&[0, 0, 0]);
        }
        paint_over(&mut px, &hidden, (w as u32, h as u32));
        assert_eq!(px, before, "each patch got its own side's colour");
    }

    #[test]
    fn network_size_scales_small_images_up_and_large_down() {
        let p = TextParams::default();
        assert_eq!(network_size(384, 191, &p), (1480, 736));
        assert_eq!(network_size(4032, 3024, &p), (2048, 1536));
        assert_eq!(network_size(1000, 800, &p), (1000, 800));
    }

    #[test]
    fn the_second_look_keeps_no_thick_block_nor_anything_where_one_was() {
        let quad = |x: f32, y: f32, w: f32, h: f32| -> (Quad, f32) {
            ([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], 0.9)
        };
        let mut doubt = Doubt::new((800, 600));
        // A block 150 px thick, a line inside it, a line elsewhere.
        let mut found = vec![
            quad(100.0, 100.0, 200.0, 150.0),
            quad(150.0, 150.0, 40.0, 8.0),
            quad(400.0, 400.0, 40.0, 8.0),
        ];
        doubt.sift(&mut found, 48.0);
        assert_eq!(found, vec![quad(400.0, 400.0, 40.0, 8.0)]);
        // A later look at the same image: a fragment where the block was
        // goes too, a line 48 px thick elsewhere stays.
        let mut later = vec![
            quad(280.0, 240.0, 6.0, 4.0),
            quad(500.0, 100.0, 300.0, 48.0),
        ];
        doubt.sift(&mut later, 48.0);
        assert_eq!(later, vec![quad(500.0, 100.0, 300.0, 48.0)]);
    }

    #[test]
    fn specks_are_judged_in_image_pixels() {
        // Read at its own size or smaller: 2 network pixels.
        assert_eq!(speck(1280, 1308), 2.0 * 1308.0 / 1280.0);
        assert_eq!(speck(4032, 2048), 2.0);
        // Enlarged 1.5×: 3 network pixels, 2 image pixels.
        assert_eq!(speck(1280, 1920), 3.0);
        // A region 2 network pixels thick is kept at the first scale and a
        // speck at the second.
        let (w, h) = (20, 10);
        let mut prob = vec![0.0f32; w * h];
        for y in 4..6 {
            for x in 3..15 {
                prob[y * w + x] = 0.9;
            }
        }
        let p = TextParams::default();
        assert_eq!(regions(&prob, w, h, &p, speck(1280, 1280)).len(), 1);
        assert!(regions(&prob, w, h, &p, speck(1280, 1920)).is_empty());
    }
}
