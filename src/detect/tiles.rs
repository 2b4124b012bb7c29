//! What the networks share about tiles: resizing an image to a pass's
//! size, cutting a size into overlapping tiles, and the memo that answers
//! a tile from the previous call when its pixels are the same bytes.
//!
//! Reuse is exact (ARCHITECTURE.md, invariant 6): a network is a pure
//! function of a tile's pixels, so a tile identical byte for byte gets the
//! answer it got before, and nothing approximate is ever reused. CenterFace
//! and the text network both go through [`Memo::answer`], so that rule
//! lives here only.

use super::scales::spans;
use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;
use std::borrow::Cow;

/// A tile `(x, y, w, h)` in the pixels of a pass.
pub(crate) type Tile = (u32, u32, u32, u32);

/// `img` resized to `width` × `height` as the networks see it: bilinear,
/// with the kernel widened on downscaling (an area average), what they were
/// trained on, unlike nearest-neighbour aliasing. Borrowed when the size is
/// already right.
pub(crate) fn resized<'a>(
    resizer: &mut Resizer,
    img: &'a RgbImage,
    width: u32,
    height: u32,
) -> Result<Cow<'a, [u8]>, String> {
    if (width, height) == img.dimensions() {
        return Ok(Cow::Borrowed(img.as_raw()));
    }
    let src = ImageRef::new(img.width(), img.height(), img.as_raw(), PixelType::U8x3)
        .map_err(|e| format!("resizing for detection: {e}"))?;
    let mut dst = Image::new(width, height, PixelType::U8x3);
    let opts = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
    resizer
        .resize(&src, &mut dst, &opts)
        .map_err(|e| format!("resizing for detection: {e}"))?;
    Ok(Cow::Owned(dst.into_vec()))
}

/// `width` × `height` cut into tiles of at most `tile` a side overlapping
/// by at least `overlap`, row by row.
pub(crate) fn grid(width: u32, height: u32, tile: u32, overlap: u32) -> Vec<Tile> {
    let columns = spans(width, tile, overlap);
    spans(height, tile, overlap)
        .into_iter()
        .flat_map(|(y, h)| columns.iter().map(move |&(x, w)| (x, y, w, h)))
        .collect()
}

/// True when the `(x, y, w, h)` region of two RGB buffers `stride` pixels
/// wide holds the same bytes.
pub(crate) fn same_region(a: &[u8], b: &[u8], stride: u32, (x, y, w, h): Tile) -> bool {
    if a.len() != b.len() {
        return false;
    }
    (y..y + h).all(|row| {
        let start = (row as usize * stride as usize + x as usize) * 3;
        let end = start + w as usize * 3;
        a[start..end] == b[start..end]
    })
}

/// One pass of a call: the pixels the network was shown and its answer for
/// each tile.
pub(crate) struct Memo<A> {
    pixels: Vec<u8>,
    width: u32,
    tiles: Vec<Tile>,
    answers: Vec<A>,
}

impl<A: Clone> Memo<A> {
    /// Every tile's answer for `pixels` (`width` wide): taken from
    /// `previous` where it cut the same tiles from the same size and the
    /// tile's bytes are unchanged, else from `run`, called in tile order
    /// with groups of at most `per_call` tiles still to answer.
    pub(crate) fn answer<E>(
        previous: Option<&Memo<A>>,
        pixels: Vec<u8>,
        width: u32,
        tiles: Vec<Tile>,
        per_call: usize,
        mut run: impl FnMut(&[u8], &[Tile]) -> Result<Vec<A>, E>,
    ) -> Result<Memo<A>, E> {
        let previous = previous.filter(|m| m.width == width && m.tiles == tiles);
        let mut answers: Vec<Option<A>> = tiles
            .iter()
            .enumerate()
            .map(|(i, &t)| match previous {
                Some(m) if same_region(&m.pixels, &pixels, width, t) => Some(m.answers[i].clone()),
                _ => None,
            })
            .collect();
        let todo: Vec<usize> = (0..tiles.len()).filter(|&i| answers[i].is_none()).collect();
        for group in todo.chunks(per_call.max(1)) {
            let cut: Vec<Tile> = group.iter().map(|&i| tiles[i]).collect();
            for (&i, a) in group.iter().zip(run(&pixels, &cut)?) {
                answers[i] = Some(a);
            }
        }
        Ok(Memo {
            pixels,
            width,
            tiles,
            answers: answers.into_iter().flatten().collect(),
        })
    }

    /// The pixels the network was shown.
    pub(crate) fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    /// The tiles, row by row.
    pub(crate) fn tiles(&self) -> &[Tile] {
        &self.tiles
    }

    /// Each tile's answer, in tile order.
    pub(crate) fn answers(&self) -> &[A] {
        &self.answers
    }

    /// The same pixels and tiles with other answers (a face pass keeps the
    /// answers of the lowest threshold it ran at).
    pub(crate) fn with_answers(self, answers: Vec<A>) -> Memo<A> {
        Memo { answers, ..self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tiles_whose_bytes_changed_are_run_again() {
        let (w, h) = (8u32, 4u32);
        let pixels = vec![7u8; (w * h * 3) as usize];
        let tiles = grid(w, h, 4, 0);
        assert_eq!(tiles, vec![(0, 0, 4, 4), (4, 0, 4, 4)]);
        let mut runs = Vec::new();
        let mut count = |_: &[u8], cut: &[Tile]| -> Result<Vec<u32>, ()> {
            runs.push(cut.to_vec());
            Ok(cut.iter().map(|t| t.0).collect())
        };
        let first = Memo::answer(None, pixels.clone(), w, tiles.clone(), 1, &mut count).unwrap();
        assert_eq!(first.answers(), &[0, 4]);
        // One byte of the right tile changes: only that tile runs.
        let mut changed = pixels.clone();
        changed[((w + 5) * 3) as usize] = 8; // row 1, column 5
        let second = Memo::answer(Some(&first), changed, w, tiles.clone(), 1, &mut count).unwrap();
        assert_eq!(second.answers(), &[0, 4]);
        // Another cut of the same pixels reuses nothing.
        let third = Memo::answer(Some(&second), pixels, w, grid(w, h, 8, 0), 2, &mut count);
        assert_eq!(third.unwrap().answers(), &[0]);
        assert_eq!(
            runs,
            vec![
                vec![(0, 0, 4, 4)],
                vec![(4, 0, 4, 4)],
                vec![(4, 0, 4, 4)],
                vec![(0, 0, 8, 4)]
            ]
        );
    }

    /// Borrowing at the same size is what running the resizer would give.
    #[test]
    fn resizing_to_the_same_size_changes_no_byte() {
        let img = RgbImage::from_fn(37, 23, |x, y| {
            image::Rgb([(x * 7 + y * 3) as u8, (x * y) as u8, (255 - x - y) as u8])
        });
        let src = ImageRef::new(37, 23, img.as_raw(), PixelType::U8x3).unwrap();
        let mut dst = Image::new(37, 23, PixelType::U8x3);
        let opts = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
        Resizer::new().resize(&src, &mut dst, &opts).unwrap();
        assert_eq!(dst.into_vec(), img.as_raw().as_slice());
        assert!(matches!(
            resized(&mut Resizer::new(), &img, 37, 23).unwrap(),
            Cow::Borrowed(_)
        ));
    }
}
