//! The `phiscrub-lab` command: scores detection on labelled photos and on
//! synthetic wristbands and screens, with any of `phiscrub scrub`'s
//! detection settings. Writes nothing unless asked (`--save`).

use clap::{Args, Parser, Subcommand};
use phiscrub::report;
use phiscrub::{Config, Scrubber};
use phiscrub_cli::cli::args::DetectArgs;
use phiscrub_cli::cli::{Failure, exit, start_scrubber};
use phiscrub_lab::synth::SceneKind;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "phiscrub-lab",
    version,
    about = "phiscrub's lab: measures detection on labelled and synthetic photos (not part of the product)."
)]
struct Lab {
    #[command(subcommand)]
    command: LabCommand,
}

#[derive(Subcommand)]
enum LabCommand {
    /// Measure detection against labelled images (writes nothing).
    #[command(subcommand)]
    Eval(EvalCommand),
}

#[derive(Subcommand)]
enum EvalCommand {
    /// Face recall, precision and false-alarm area against a JSON-lines truth
    /// file: {"file": "a.jpg", "boxes": [[x, y, w, h], ...], "ignore": [...]}.
    Faces(EvalFacesArgs),
    /// Synthetic wristbands (fake names, dates, record numbers, Code 128 and
    /// DataMatrix) bent onto photos: share of bands whose ink is covered.
    Bands(EvalSynthArgs),
    /// Synthetic monitor screens under perspective, glare and moiré: share of
    /// text lines covered.
    Screens(EvalSynthArgs),
    /// Real text: share of labelled regions whose glyph edges the scrubbed
    /// output removes (the rule of textcover.py), by kind and text height,
    /// and the area changed away from text. Truth: JSON lines
    /// {"file", "polys": [[[x, y], ...]], "ignore", "kind"}, in pixels of
    /// the upright picture (EXIF orientation applied).
    Text(EvalFacesArgs),
}

#[derive(Args)]
struct EvalSynthArgs {
    /// Number of scenes.
    #[arg(long, default_value_t = 100)]
    count: usize,
    /// Seed of the scenes: the same seed gives the same pictures.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Folder of photos to composite onto (JPEG/PNG); plain gradients without.
    #[arg(long, value_name = "DIR")]
    backgrounds: Option<PathBuf>,
    /// Scene size, WIDTHxHEIGHT.
    #[arg(long, value_name = "WxH", default_value = "1600x1200", value_parser = parse_size)]
    size: (u32, u32),
    /// Also write each scene and its scrubbed output into this folder.
    #[arg(long, value_name = "DIR")]
    save: Option<PathBuf>,
    #[command(flatten)]
    run: EvalRunArgs,
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("'{s}' is not a size like 1600x1200");
    let (w, h) = s.split_once(['x', 'X', '×']).ok_or_else(bad)?;
    let (w, h) = (
        w.trim().parse::<u32>().map_err(|_| bad())?,
        h.trim().parse::<u32>().map_err(|_| bad())?,
    );
    if !(64..=8192).contains(&w) || !(64..=8192).contains(&h) {
        return Err(format!(
            "the scene size must be between 64 and 8192 pixels a side (got {s})"
        ));
    }
    Ok((w, h))
}

/// What every eval command shares: output form, workers, detection settings.
#[derive(Args)]
struct EvalRunArgs {
    /// Print the scores as JSON.
    #[arg(long)]
    json: bool,
    /// Images processed at once [default: number of CPU cores].
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    #[command(flatten)]
    detect: DetectArgs,
}

#[derive(Args)]
struct EvalFacesArgs {
    /// Folder holding the images named in the truth file.
    #[arg(long, value_name = "DIR")]
    images: PathBuf,
    /// The truth file (JSON lines).
    #[arg(long, value_name = "FILE")]
    truth: PathBuf,
    #[command(flatten)]
    run: EvalRunArgs,
}
fn main() -> ExitCode {
    let outcome = match Lab::parse().command {
        LabCommand::Eval(EvalCommand::Faces(args)) => eval_faces(args),
        LabCommand::Eval(EvalCommand::Bands(args)) => eval_synth(args, SceneKind::Bands),
        LabCommand::Eval(EvalCommand::Screens(args)) => eval_synth(args, SceneKind::Screens),
        LabCommand::Eval(EvalCommand::Text(args)) => eval_text(args),
    };
    outcome.unwrap_or_else(|f| f.report("phiscrub-lab"))
}

fn eval_synth(args: EvalSynthArgs, kind: SceneKind) -> Result<ExitCode, Failure> {
    let config = args.run.detect.apply(Config::default());
    config
        .validate()
        .map_err(|e| Failure::usage(e.to_string()))?;
    let mut backgrounds = Vec::new();
    if let Some(dir) = &args.backgrounds {
        let plan = phiscrub::walk::plan(std::slice::from_ref(dir), std::path::Path::new(""), None);
        for job in &plan.jobs {
            // Notes and lists beside the photos are not backgrounds.
            let Ok(bytes) = std::fs::read(&job.input) else {
                continue;
            };
            if phiscrub::Format::sniff(&bytes).is_none() {
                continue;
            }
            match image::load_from_memory(&bytes) {
                Ok(img) => backgrounds.push(img.to_rgb8()),
                Err(e) => eprintln!(
                    "phiscrub-lab: {}: skipped as a background ({e})",
                    job.input.display()
                ),
            }
        }
        if backgrounds.is_empty() {
            return Err(Failure::usage(format!(
                "{}: no readable photos; --backgrounds must be a folder of JPEG or PNG files",
                dir.display()
            )));
        }
    }
    if let Some(dir) = &args.save {
        if let Err(e) = std::fs::create_dir_all(dir) {
            return Err(Failure::usage(format!(
                "cannot create {} ({e}); check the path",
                dir.display()
            )));
        }
    }
    let (scrubber, threads) = start_scrubber(config, args.run.jobs)?;
    let run = phiscrub_lab::synth::eval::SynthRun {
        kind,
        count: args.count,
        seed: args.seed,
        backgrounds: &backgrounds,
        size: args.size,
        threads,
        save: args.save.as_deref(),
    };
    let scores = phiscrub_lab::synth::eval::run(&scrubber, &run).map_err(Failure::fatal)?;
    if args.run.json {
        println!("{}", serde_json::to_string(&scores).unwrap_or_default());
        return Ok(exit(report::EXIT_OK));
    }
    let share = |a: usize, b: usize| {
        if b == 0 {
            "-".to_string()
        } else {
            format!("{:.4} ({a}/{b})", a as f64 / b as f64)
        }
    };
    let what = if kind == SceneKind::Bands {
        "bands"
    } else {
        "screens"
    };
    println!(
        "{} scenes, seed {}: {} exported, {} refused for residual findings ({} findings), {} refused otherwise; {:.1} s",
        scores.images,
        scores.seed,
        scores.exported,
        scores.refused_residual,
        scores.residual_findings,
        scores.refused_other,
        scores.seconds
    );
    // Objects in refused scenes count as missed in the first figure; the
    // second counts exported scenes only, as the shared scorers do.
    let both = |hit: usize, all: usize, exported: usize| {
        format!(
            "{}; over exported scenes {}",
            share(hit, all),
            share(hit, exported)
        )
    };
    println!(
        "{what:<7} covered  {}",
        both(
            scores.objects_covered,
            scores.objects,
            scores.objects_exported
        )
    );
    println!(
        "lines covered    {}",
        both(scores.lines_covered, scores.lines, scores.lines_exported)
    );
    println!(
        "codes covered    {}",
        both(scores.codes_covered, scores.codes, scores.codes_exported)
    );
    println!("ink covered      {:.4}", scores.ink_covered);
    println!("area filled away {:.4} %", 100.0 * scores.area_away);
    let found: Vec<String> = scores
        .findings
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    println!("findings         {}", found.join(", "));
    for p in scores.problems.iter().take(10) {
        println!("  {p}");
    }
    Ok(exit(report::EXIT_OK))
}

/// What `eval faces` and `eval text` check before scoring: the settings,
/// the truth file (read with `read`), the images folder; then the scrubber.
fn start_labelled_eval<T>(
    args: &EvalFacesArgs,
    config: Config,
    read: impl Fn(&std::path::Path) -> Result<Vec<T>, String>,
) -> Result<(Vec<T>, Scrubber, usize), Failure> {
    config
        .validate()
        .map_err(|e| Failure::usage(e.to_string()))?;
    let truth = read(&args.truth).map_err(Failure::usage)?;
    if !args.images.is_dir() {
        return Err(Failure::usage(format!(
            "{}: not a folder; --images must be the folder holding the files named in the truth file",
            args.images.display()
        )));
    }
    let (scrubber, threads) = start_scrubber(config, args.run.jobs)?;
    Ok((truth, scrubber, threads))
}

fn eval_text(args: EvalFacesArgs) -> Result<ExitCode, Failure> {
    // Everything on, as `phiscrub scrub` runs: the score is of real outputs.
    let config = args.run.detect.apply(Config::default());
    let (truth, scrubber, threads) =
        start_labelled_eval(&args, config, phiscrub_lab::eval::text::read_truth)?;
    let scores = phiscrub_lab::eval::text::text(&scrubber, &args.images, &truth, threads)
        .map_err(|e| Failure::fatal(e.to_string()))?;
    for p in &scores.problems {
        eprintln!("phiscrub-lab: {p}");
    }
    if args.run.json {
        println!("{}", serde_json::to_string(&scores).unwrap_or_default());
        return Ok(exit(report::EXIT_OK));
    }
    let share = |s: &phiscrub_lab::eval::text::Share| match s.coverage {
        Some(c) => format!("{c:.4} ({}/{})", s.covered, s.regions),
        None => "–".into(),
    };
    println!(
        "{} image(s): {} exported, {} refused, {} failed ({} region(s) in images not exported); {:.1} s, {:.2} s per image on one worker",
        scores.images,
        scores.exported,
        scores.refused,
        scores.failed,
        scores.regions_in_unexported,
        scores.seconds,
        scores.seconds_per_image
    );
    println!("coverage         {}", share(&scores.pooled));
    for (k, s) in &scores.by_kind {
        println!("  {k:<14} {}", share(s));
    }
    for (k, s) in &scores.by_height {
        println!("  {:>7} px     {}", k, share(s));
    }
    match scores.area_away {
        Some(a) => println!("area away        {:.3} % of exported pixels", 100.0 * a),
        None => println!("area away        –"),
    }
    Ok(exit(report::EXIT_OK))
}

fn eval_faces(args: EvalFacesArgs) -> Result<ExitCode, Failure> {
    // Faces only: text fills would count as false face area.
    let config = Config {
        detect_text: false,
        detect_codes: false,
        ..args.run.detect.apply(Config::default())
    };
    let (truth, scrubber, threads) =
        start_labelled_eval(&args, config, phiscrub_lab::eval::read_truth)?;
    let (scores, outcomes) = phiscrub_lab::eval::faces(&scrubber, &args.images, &truth, threads)
        .map_err(|e| Failure::fatal(e.to_string()))?;
    for o in &outcomes {
        if let phiscrub_lab::eval::Outcome::NotExported { why, .. } = o {
            eprintln!("phiscrub-lab: {why}");
        }
    }
    if args.run.json {
        println!("{}", serde_json::to_string(&scores).unwrap_or_default());
        return Ok(exit(report::EXIT_OK));
    }
    let pct = |r: &phiscrub_lab::eval::Recall| match r.recall {
        Some(v) => format!("{:6.2} %  ({}/{})", 100.0 * v, r.covered, r.faces),
        None => "     –   (0 faces)".to_string(),
    };
    let opt = |v: Option<f64>, scale: f64, unit: &str| match v {
        Some(v) => format!("{:.4}{unit}", v * scale),
        None => "–".into(),
    };
    println!(
        "{} image(s): {} exported, {} refused, {} failed ({} face(s) in images not exported); {:.1} s",
        scores.images,
        scores.exported,
        scores.refused,
        scores.failed,
        scores.faces_in_unexported,
        scores.seconds
    );
    println!("recall           {}", pct(&scores.overall));
    println!("recall >= 24 px  {}", pct(&scores.ge24));
    for (name, r) in &scores.by_size {
        println!("  {name:>7} px    {}", pct(r));
    }
    println!(
        "precision        {} of {} fills",
        opt(scores.precision, 1.0, ""),
        scores.fills
    );
    println!(
        "false area       {} of exported pixels filled away from any face",
        opt(scores.false_area, 100.0, " %")
    );
    Ok(exit(report::EXIT_OK))
}
