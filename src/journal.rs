//! The record a run keeps as it goes, so that a run stopped half-way (a
//! crash, a pre-empted node) can be run again and redo only what is missing
//! (`scrub --skip-existing`).
//!
//! One JSON line per exported file, appended as soon as its output is
//! written: the input, the output's path and SHA-256, and the file's report
//! entry. An output is trusted again only if the journal has its line and the
//! file on disk still has that hash; anything else is done again.

use crate::audit::Report;
use crate::report::FileReport;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The journal of a run: what an earlier attempt recorded, and the file new
/// lines are appended to.
///
/// ```
/// use phiscrub::journal::Journal;
/// # let dir = tempfile::tempdir()?;
/// let run = phiscrub::journal::run_key(&phiscrub::Config::default(), None);
/// let journal = Journal::open(&dir.path().join("run.json.journal"), &run)?;
/// // Nothing recorded yet: nothing is trusted.
/// assert!(journal.trusted(std::path::Path::new("photos/a.jpg")).is_none());
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Journal {
    earlier: HashMap<String, (PathBuf, String, Value)>,
    run: Value,
    file: Mutex<std::fs::File>,
}

impl Journal {
    /// Reads what `path` holds (a last line cut short by a crash is
    /// ignored) and opens it for appending. `run` is [`run_key`] of this
    /// attempt: records an attempt with another shard or other settings
    /// wrote are not this run's to vouch for, so they make this an error of
    /// kind `InvalidData` saying what differs, rather than being reused.
    ///
    /// ```
    /// use phiscrub::journal::{entry_of, run_key, Journal};
    /// use phiscrub::shard::Shard;
    /// use phiscrub::pipeline::{plan, run, RunOptions};
    /// use phiscrub::{Config, Scrubber};
    /// # let photo = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/metadata/jpeg_camera_everything.jpg"));
    /// # let dir = tempfile::tempdir()?;
    /// let config = Config { detect_faces: false, detect_text: false, detect_codes: false, ..Config::default() };
    /// let scrubber = Scrubber::new(config.clone())?;
    /// let out = dir.path().join("out");
    /// let jobs = plan(&[photo.clone()], &out, None);
    /// let opts = RunOptions { out_dir: out.clone(), overwrite: false, workers: 1 };
    /// let path = dir.path().join("run.json.journal");
    /// let key = run_key(&config, Some(Shard::new(2, 4)?));
    /// let journal = Journal::open(&path, &key)?;
    /// run(&scrubber, &jobs, &opts, &|r| journal.record(r, entry_of(r, &config, &out)).unwrap())?;
    /// // A later attempt trusts the output while it is unchanged.
    /// let later = Journal::open(&path, &key)?;
    /// assert_eq!(later.trusted(&photo).unwrap()["status"], "exported");
    /// std::fs::write(out.join("jpeg_camera_everything.jpg"), b"changed")?;
    /// assert!(later.trusted(&photo).is_none());
    /// // Another shard count would split the files differently: refused.
    /// let other = run_key(&config, Some(Shard::new(2, 5)?));
    /// let e = Journal::open(&path, &other).err().unwrap();
    /// assert!(e.to_string().contains("shard 2/4"), "{e}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(path: &Path, run: &Value) -> std::io::Result<Journal> {
        let mut earlier = HashMap::new();
        if let Ok(text) = std::fs::read_to_string(path) {
            for line in text.lines() {
                let Ok(v) = serde_json::from_str::<Value>(line) else {
                    continue;
                };
                if v["run"] != *run {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        mismatch(&v["run"], run),
                    ));
                }
                if let (Some(input), Some(output), Some(sha)) = (
                    v["input"].as_str(),
                    v["output"].as_str(),
                    v["sha256"].as_str(),
                ) {
                    earlier.insert(
                        input.to_string(),
                        (PathBuf::from(output), sha.to_string(), v["entry"].clone()),
                    );
                }
            }
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok(Journal {
            earlier,
            run: run.clone(),
            file: Mutex::new(file),
        })
    }

    /// The report entry of `input`'s output when an earlier attempt recorded
    /// it and the output on disk is still what it recorded.
    ///
    /// ```
    /// # let dir = tempfile::tempdir()?;
    /// let run = phiscrub::journal::run_key(&phiscrub::Config::default(), None);
    /// let j = phiscrub::journal::Journal::open(&dir.path().join("j"), &run)?;
    /// assert!(j.trusted(std::path::Path::new("never-seen.jpg")).is_none());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn trusted(&self, input: &Path) -> Option<Value> {
        let (output, sha, entry) = self.earlier.get(&input.to_string_lossy().to_string())?;
        let bytes = std::fs::read(output).ok()?;
        (crate::models::sha256_hex(&bytes) == *sha).then(|| entry.clone())
    }

    /// Records an exported file (others are not recorded: they are done
    /// again). `entry` is the one the run's report will hold.
    ///
    /// ```
    /// use phiscrub::report::{FileReport, Status};
    /// # let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("j");
    /// let run = phiscrub::journal::run_key(&phiscrub::Config::default(), None);
    /// let j = phiscrub::journal::Journal::open(&path, &run)?;
    /// let refused = FileReport {
    ///     input: "a.jpg".into(), relative: "a.jpg".into(), output: None, status: Status::Refused,
    ///     message: None, reason: None, findings: vec![], done: None, elapsed: Default::default(),
    /// };
    /// j.record(&refused, serde_json::Value::Null)?;
    /// assert!(std::fs::read_to_string(&path)?.is_empty(), "only exported files are recorded");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn record(&self, r: &FileReport, entry: Value) -> std::io::Result<()> {
        let Some(output) = r
            .output
            .as_deref()
            .filter(|_| r.status == crate::report::Status::Exported)
        else {
            return Ok(());
        };
        let sha = crate::models::sha256_hex(&std::fs::read(output)?);
        let line = json!({
            "input": r.input.to_string_lossy(),
            "output": output.to_string_lossy(),
            "sha256": sha,
            "entry": entry,
            "run": self.run,
        });
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        writeln!(f, "{line}")?;
        f.sync_data()
    }
}

/// What a journal's records are true for: the shard (its files), the
/// settings and the models. The device is left out: an output verified on a
/// GPU is as safe as one verified on the CPU.
///
/// ```
/// use phiscrub::journal::run_key;
/// use phiscrub::{Config, shard::Shard};
/// let a = run_key(&Config::default(), Shard::new(1, 4).ok());
/// assert_ne!(a, run_key(&Config { jpeg_quality: 80, ..Config::default() }, Shard::new(1, 4).ok()));
/// assert_eq!(a["shard"], "1/4");
/// ```
pub fn run_key(config: &crate::Config, shard: Option<crate::shard::Shard>) -> Value {
    let report = Report::new("scrub", config, None, &[], &[], Default::default());
    let mut v: Value = serde_json::from_str(&report.to_json()).unwrap_or(Value::Null);
    if let Some(settings) = v["settings"].as_object_mut() {
        settings.remove("device");
    }
    json!({
        "phiscrub_version": v["phiscrub_version"],
        "models": v["models"],
        "settings": v["settings"],
        "shard": shard.map(|s| format!("{}/{}", s.index, s.count)),
    })
}

/// Says how an earlier attempt's run key differs from this one's.
fn mismatch(earlier: &Value, now: &Value) -> String {
    let part = |v: &Value| match v {
        Value::Null => "none".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if earlier["shard"] != now["shard"] {
        return format!(
            "its records were written by shard {} and this attempt is shard {}: give the \
             same --shard K/N as the first attempt (in a Slurm array resubmitted in part, \
             --shard auto/N), or another --report",
            part(&earlier["shard"]),
            part(&now["shard"])
        );
    }
    let what = ["settings", "models", "phiscrub_version"]
        .into_iter()
        .find(|k| earlier[*k] != now[*k])
        .unwrap_or("run");
    let which = match (earlier["settings"].as_object(), now["settings"].as_object()) {
        (Some(a), Some(b)) if what == "settings" => {
            let names: Vec<&str> = b
                .iter()
                .filter(|(k, v)| a.get(*k) != Some(v))
                .map(|(k, _)| k.as_str())
                .collect();
            format!(" ({})", names.join(", "))
        }
        _ => String::new(),
    };
    format!(
        "its records were written with other {what}{which} than this attempt's: run again \
         with the first attempt's options, or give another --report"
    )
}

/// The report entry a run's report will hold for `r`.
///
/// ```
/// use phiscrub::report::{FileReport, Status};
/// let r = FileReport {
///     input: "ward/a.jpg".into(), relative: "a.jpg".into(), output: None, status: Status::Failed,
///     message: Some("not an image".into()), reason: Some("file"), findings: vec![], done: None,
///     elapsed: Default::default(),
/// };
/// let e = phiscrub::journal::entry_of(&r, &phiscrub::Config::default(), std::path::Path::new("out"));
/// assert_eq!((e["input"].as_str(), e["status"].as_str()), (Some("a.jpg"), Some("failed")));
/// ```
pub fn entry_of(r: &FileReport, config: &crate::Config, out_dir: &Path) -> Value {
    let one = Report::new(
        "scrub",
        config,
        Some(out_dir),
        std::slice::from_ref(r),
        &[],
        Default::default(),
    );
    serde_json::from_str::<Value>(&one.to_json())
        .map(|v| v["files"][0].clone())
        .unwrap_or(Value::Null)
}

/// Adds the entries of files an earlier attempt exported (and this run
/// skipped) to a report, and counts them in its totals.
///
/// ```
/// use phiscrub::audit::Report;
/// let r = Report::new("scrub", &phiscrub::Config::default(), None, &[], &[], Default::default());
/// let earlier = serde_json::json!({"input": "a.jpg", "status": "exported",
///     "findings": [{"kind": "face"}], "would_leak": true});
/// let whole = phiscrub::journal::with_reused(&r, &[earlier]);
/// assert_eq!(whole["totals"]["exported"], 1);
/// assert_eq!(whole["totals"]["findings"]["face"], 1);
/// ```
pub fn with_reused(report: &Report, reused: &[Value]) -> Value {
    let mut v: Value = serde_json::from_str(&report.to_json()).unwrap_or(Value::Null);
    if reused.is_empty() {
        return v;
    }
    let totals = &mut v["totals"];
    for key in ["files", "exported"] {
        totals[key] = json!(totals[key].as_u64().unwrap_or(0) + reused.len() as u64);
    }
    for e in reused {
        for f in e["findings"].as_array().into_iter().flatten() {
            if let Some(kind) = f["kind"].as_str() {
                let n = totals["findings"][kind].as_u64().unwrap_or(0);
                totals["findings"][kind] = json!(n + 1);
            }
        }
        if e["would_leak"] == true {
            totals["would_leak"] = json!(totals["would_leak"].as_u64().unwrap_or(0) + 1);
        }
    }
    if let Some(files) = v["files"].as_array_mut() {
        files.extend(reused.iter().cloned());
    }
    v
}
