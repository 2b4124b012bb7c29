//! Where a scrub's inference time goes: every network run on this thread is
//! counted, with its input size and time, by network and by stage (the
//! rounds on the input, the looks at the output). `crates/phiscrub-lab/examples/stage_table.rs`
//! prints it per photo size for BENCHMARKS.
//!
//! Thread-local for the same reason as the deadline: a scrub runs start to
//! end on the thread that called it.

use std::cell::RefCell;
use std::time::Duration;

/// The networks phiscrub runs; `tally[stage][net as usize]` is a network's row.
///
/// ```
/// use phiscrub::detect::tally::{take, Net, Stage};
/// let t = take();
/// assert_eq!(t[Stage::Output as usize][Net::CenterFace as usize].count, 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Net {
    /// CenterFace, every face pass and tile.
    CenterFace,
    /// BlazeFace, short and full range.
    BlazeFace,
    /// PP-OCRv4 text detection, every look and tile.
    Text,
}

/// Which part of a scrub ran the network.
///
/// ```
/// use phiscrub::detect::tally::Stage;
/// // The rounds on the input come first in a tally, the looks at the output second.
/// assert_eq!((Stage::Input as usize, Stage::Output as usize), (0, 1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The detection rounds on the decoded input.
    Input,
    /// The looks at the decoded output.
    Output,
}

/// Runs of one network in one stage.
///
/// ```
/// use phiscrub::detect::tally::Runs;
/// let none = Runs::default();
/// assert_eq!((none.count, none.pixels, none.time), (0, 0, std::time::Duration::ZERO));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Runs {
    /// Inferences (a batch of tiles counts once per tile).
    pub count: u64,
    /// Input pixels, summed over the inferences (padding included).
    pub pixels: u64,
    /// Time inside the runtime.
    pub time: Duration,
}

/// The runs counted on this thread since the last [`take`]: `[stage][net]`,
/// in the order of [`Stage`] and [`Net`].
///
/// ```
/// use phiscrub::detect::tally::{Tally, Net, Stage};
/// let t = Tally::default();
/// let text_on_output = t[Stage::Output as usize][Net::Text as usize];
/// assert_eq!(text_on_output.count, 0);
/// ```
pub type Tally = [[Runs; 3]; 2];

thread_local! {
    static TALLY: RefCell<(Stage, Tally)> = RefCell::new((Stage::Input, Tally::default()));
}

/// Counts one run of `net` on `pixels` input pixels taking `time`, in the
/// stage set last on this thread.
pub(crate) fn record(net: Net, count: u64, pixels: u64, time: Duration) {
    TALLY.with_borrow_mut(|(stage, t)| {
        let r = &mut t[*stage as usize][net as usize];
        r.count += count;
        r.pixels += pixels;
        r.time += time;
    });
}

/// Sets the stage the next runs on this thread count for.
pub(crate) fn stage(s: Stage) {
    TALLY.with_borrow_mut(|(stage, _)| *stage = s);
}

/// The runs counted on this thread since the last call, and a fresh start.
///
/// ```
/// use phiscrub::detect::tally::{take, Net, Stage};
/// // Nothing has run on this thread yet.
/// let t = take();
/// assert_eq!(t[Stage::Input as usize][Net::Text as usize].count, 0);
/// ```
pub fn take() -> Tally {
    TALLY.with_borrow_mut(|(stage, t)| {
        *stage = Stage::Input;
        std::mem::take(t)
    })
}
