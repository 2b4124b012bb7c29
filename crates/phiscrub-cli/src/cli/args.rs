//! The detection settings every command that looks at pixels shares
//! (`scrub`, `check`, `serve`, and the lab's `eval`).

use clap::{Args, ValueEnum};
use phiscrub::Config;

/// Settings of face detection and verification, shared by scrub and eval.
#[derive(Args)]
pub struct DetectArgs {
    /// Face score above which a face is covered (0–1]. Lower finds more.
    #[arg(long, value_name = "T", default_value_t = Config::default().face_threshold)]
    face_threshold: f32,
    /// Face score above which anything face-like still visible after redaction
    /// refuses the image; lower is stricter [default: 0.95 × --face-threshold].
    #[arg(long, value_name = "T")]
    verify_threshold: Option<f32>,
    /// ONNX Runtime threads per worker (--jobs workers each run one image)
    /// [default: 1; with fewer images than cores and no --jobs, the cores
    /// are shared among the images].
    #[arg(long, value_name = "N")]
    pub threads_per_job: Option<usize>,
    /// Where the networks run: cpu, or cuda[:N] (a build with --features
    /// cuda, on a GPU machine). phiscrub never falls back to the CPU on its
    /// own: if the GPU cannot run every network, nothing is scrubbed.
    #[arg(long, value_name = "DEVICE", default_value = "cpu", value_parser = parse_device)]
    device: phiscrub::detect::runtime::Device,
    /// Smallest face searched for, in pixels (longer side). Large photos get
    /// a finer tiled pass down to this size; smaller is slower.
    #[arg(long, value_name = "PX", default_value_t = Config::default().min_face)]
    min_face: u32,
    /// Size of each filled box as a multiple of the detected face box: one
    /// factor, or WIDTHxHEIGHT (e.g. 1.5x1.7) [default: 1.4].
    #[arg(long, value_name = "F", value_parser = parse_padding)]
    face_padding: Option<(f32, f32)>,
    /// Fill the padded box whole, or the ellipse inscribed in it [default: box].
    #[arg(long, value_name = "SHAPE", value_enum)]
    face_shape: Option<ShapeArg>,
    /// Mean text probability above which a region is covered (0–1]; text
    /// still visible above it after redaction refuses the image. Lower finds more.
    #[arg(long, value_name = "T", default_value_t = Config::default().text_threshold)]
    text_threshold: f32,
    /// Large photos are read for text at most this many pixels wide (longer
    /// side), in tiles; more finds smaller text, slower.
    #[arg(long, value_name = "PX", default_value_t = Config::default().text_detail_side)]
    text_detail: u32,
    /// Do NOT cover text (names, dates, record numbers stay readable). Only
    /// for pictures whose text you have checked by eye; the run warns.
    #[arg(long)]
    no_text: bool,
    /// Do not look for barcodes and 2D codes.
    #[arg(long)]
    no_codes: bool,
    /// Ask CenterFace alone, without the second face detector (BlazeFace).
    /// For measuring what the second family adds; never for sharing.
    #[arg(long, hide = true)]
    no_second_face: bool,
}

fn parse_padding(s: &str) -> Result<(f32, f32), String> {
    let num = |v: &str| {
        v.trim()
            .parse::<f32>()
            .map_err(|_| format!("'{s}' is not a factor like 1.5 or 1.5x1.7"))
    };
    match s.split_once(['x', 'X', '×']) {
        Some((w, h)) => Ok((num(w)?, num(h)?)),
        None => num(s).map(|f| (f, f)),
    }
}

impl DetectArgs {
    /// `config` with these settings applied.
    pub fn apply(&self, config: Config) -> Config {
        Config {
            face_threshold: self.face_threshold,
            verify_threshold: self
                .verify_threshold
                .unwrap_or(Config::verify_threshold_for(self.face_threshold)),
            min_face: self.min_face,
            intra_threads: self.threads_per_job.unwrap_or(config.intra_threads),
            device: self.device,
            face_padding: self.face_padding.unwrap_or(config.face_padding),
            face_shape: match self.face_shape {
                Some(ShapeArg::Ellipse) => phiscrub::geometry::Shape::Ellipse,
                Some(ShapeArg::Box) => phiscrub::geometry::Shape::Box,
                None => config.face_shape,
            },
            text_threshold: self.text_threshold,
            text_detail_side: self.text_detail,
            detect_text: !self.no_text,
            detect_codes: !self.no_codes,
            second_face: !self.no_second_face,
            ..config
        }
    }
}

/// `--face-shape`.
fn parse_device(s: &str) -> Result<phiscrub::detect::runtime::Device, String> {
    phiscrub::detect::runtime::Device::parse(s)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShapeArg {
    Box,
    Ellipse,
}

/// `--format`: the output formats phiscrub writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Jpeg,
    Png,
    Webp,
}

impl From<FormatArg> for phiscrub::Format {
    fn from(f: FormatArg) -> phiscrub::Format {
        match f {
            FormatArg::Jpeg => phiscrub::Format::Jpeg,
            FormatArg::Png => phiscrub::Format::Png,
            FormatArg::Webp => phiscrub::Format::Webp,
        }
    }
}

/// `--lang`: the languages phiscrub speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    En,
    Fr,
}
