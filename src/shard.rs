//! Splitting one run into shards that run apart (a Slurm job array, a
//! Kubernetes Indexed Job) and checking that their reports add up.
//!
//! A file belongs to shard `hash(path) mod N`: the split depends on the path
//! alone, so a shard's files are the same whichever other shards ran,
//! failed or were run again.

use sha2::{Digest, Sha256};
use std::path::Path;

/// One shard of `count`, numbered from 1.
///
/// ```
/// use phiscrub::shard::Shard;
/// use std::path::Path;
/// let shards: Vec<Shard> = (1..=4).map(|k| Shard::new(k, 4).unwrap()).collect();
/// // Every path is in exactly one shard.
/// for p in ["ward/a.jpg", "ward/b.jpg", "c.png"] {
///     assert_eq!(shards.iter().filter(|s| s.holds(Path::new(p))).count(), 1);
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Shard {
    /// This shard, 1 to `count`.
    pub index: u32,
    /// How many shards the run is split into.
    pub count: u32,
}

impl Shard {
    /// Shard `index` (1-based) of `count`.
    ///
    /// ```
    /// use phiscrub::shard::Shard;
    /// assert!(Shard::new(2, 4).is_ok());
    /// assert!(Shard::new(0, 4).is_err() && Shard::new(5, 4).is_err());
    /// ```
    pub fn new(index: u32, count: u32) -> Result<Shard, String> {
        if count == 0 || index == 0 || index > count {
            return Err(format!(
                "shard {index}/{count} does not exist: give K/N with 1 ≤ K ≤ N"
            ));
        }
        Ok(Shard { index, count })
    }

    /// Parses `K/N`, or `auto` / `auto/N` from the scheduler's environment
    /// (`get` reads a variable).
    ///
    /// - Slurm: the shard is `SLURM_ARRAY_TASK_ID`, so the array is numbered
    ///   from 1 (`sbatch --array=1-N`). `auto` takes N from
    ///   `SLURM_ARRAY_TASK_COUNT` and so only holds for the whole array's
    ///   first submission: a task submitted again on its own
    ///   (`sbatch --array=3`) is an array of one, so it must say `auto/N`.
    /// - Kubernetes: the shard is `JOB_COMPLETION_INDEX` + 1 (the index
    ///   counts from 0); Kubernetes gives no count, so it needs `auto/N`.
    ///
    /// ```
    /// use phiscrub::shard::Shard;
    /// let none = |_: &str| None;
    /// assert_eq!(Shard::parse("3/8", none)?, Shard::new(3, 8)?);
    /// let slurm = |id: &'static str, min: &'static str, max: &'static str| {
    ///     move |v: &str| match v {
    ///         "SLURM_ARRAY_TASK_ID" => Some(id.to_string()),
    ///         "SLURM_ARRAY_TASK_MIN" => Some(min.to_string()),
    ///         "SLURM_ARRAY_TASK_MAX" => Some(max.to_string()),
    ///         "SLURM_ARRAY_TASK_COUNT" => Some((max.parse::<u32>().unwrap() - min.parse::<u32>().unwrap() + 1).to_string()),
    ///         _ => None,
    ///     }
    /// };
    /// // sbatch --array=1-4: task 2 is shard 2 of 4.
    /// assert_eq!(Shard::parse("auto", slurm("2", "1", "4"))?, Shard::new(2, 4)?);
    /// // Task 3 submitted again on its own (sbatch --array=3) needs the count.
    /// assert_eq!(Shard::parse("auto/4", slurm("3", "3", "3"))?, Shard::new(3, 4)?);
    /// assert!(Shard::parse("auto", slurm("3", "3", "3")).is_err());
    /// // An array numbered from 0 is refused rather than shifted.
    /// assert!(Shard::parse("auto/4", slurm("0", "0", "3")).is_err());
    /// let k8s = |v: &str| (v == "JOB_COMPLETION_INDEX").then(|| "0".to_string());
    /// assert_eq!(Shard::parse("auto/5", k8s)?, Shard::new(1, 5)?);
    /// assert!(Shard::parse("auto", k8s).is_err(), "Kubernetes gives no count");
    /// # Ok::<(), String>(())
    /// ```
    pub fn parse(spec: &str, get: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let number = |what: &str, v: &str| {
            v.trim()
                .parse::<u32>()
                .map_err(|_| format!("{what} is \"{v}\", not a number"))
        };
        let (k, n) = spec.split_once('/').unwrap_or((spec, ""));
        if k != "auto" {
            return Shard::new(
                number("K in --shard K/N", k)?,
                number("N in --shard K/N", n)?,
            );
        }
        let given = if n.is_empty() {
            None
        } else {
            Some(number("N in --shard auto/N", n)?)
        };
        if let Some(id) = get("SLURM_ARRAY_TASK_ID") {
            let id = number("SLURM_ARRAY_TASK_ID", &id)?;
            let count = match given {
                Some(n) => n,
                None => {
                    // Only an array numbered 1..N, all submitted at once,
                    // tells N: anything else is a partial resubmission, whose
                    // own count would silently re-split the files.
                    let var = |v: &str| get(v).map(|x| number(v, &x)).transpose();
                    match (
                        var("SLURM_ARRAY_TASK_MIN")?,
                        var("SLURM_ARRAY_TASK_MAX")?,
                        var("SLURM_ARRAY_TASK_COUNT")?,
                    ) {
                        (Some(1), Some(max), Some(count)) if max == count => count,
                        _ => {
                            return Err(format!(
                                "this Slurm array is not numbered 1 to N in one submission, so it \
                                 does not tell the shard count: give --shard auto/N \
                                 (N the whole run's shard count; task {id} is shard {id})"
                            ));
                        }
                    }
                }
            };
            if id == 0 || id > count {
                return Err(format!(
                    "SLURM_ARRAY_TASK_ID is {id}, not a shard of 1 to {count}: \
                     number the array from 1 (sbatch --array=1-{count})"
                ));
            }
            return Shard::new(id, count);
        }
        if let Some(i) = get("JOB_COMPLETION_INDEX") {
            let n = given.ok_or(
                "JOB_COMPLETION_INDEX is set but Kubernetes gives no shard count: \
                 give --shard auto/N with N the Job's completions",
            )?;
            return Shard::new(number("JOB_COMPLETION_INDEX", &i)? + 1, n);
        }
        Err(
            "--shard auto needs SLURM_ARRAY_TASK_ID (a Slurm job array) or \
             JOB_COMPLETION_INDEX (a Kubernetes Indexed Job); give --shard K/N otherwise"
                .into(),
        )
    }

    /// Whether `path` (as the report names it) belongs to this shard.
    ///
    /// ```
    /// use phiscrub::shard::Shard;
    /// let p = std::path::Path::new("2024/ward 3/wound.jpg");
    /// let owners = (1..=8).filter(|&k| Shard::new(k, 8).unwrap().holds(p)).count();
    /// assert_eq!(owners, 1);
    /// ```
    pub fn holds(&self, path: &Path) -> bool {
        let digest = Sha256::digest(path.to_string_lossy().as_bytes());
        let h = u64::from_be_bytes(digest[..8].try_into().unwrap_or_default());
        h % self.count as u64 == (self.index - 1) as u64
    }
}

/// Paths listed one per line (`--files-from`): blank lines skipped, the line
/// taken as it is otherwise (a name may start or end with spaces).
///
/// ```
/// let list = phiscrub::shard::read_list("a.jpg\n\nward 2/b.png\r\n");
/// assert_eq!(list, [std::path::PathBuf::from("a.jpg"), "ward 2/b.png".into()]);
/// ```
pub fn read_list(text: &str) -> Vec<std::path::PathBuf> {
    text.lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.is_empty())
        .map(std::path::PathBuf::from)
        .collect()
}

/// Merges the JSON reports of every shard of one split run into the report
/// of the whole run. Refuses reports that are not shards of the same run
/// (another count, another total, other settings or models), a shard
/// missing or given twice, a file in two shards, or shards that do not add
/// up to the files the run listed.
///
/// ```
/// use phiscrub::audit::Report;
/// use phiscrub::shard::{merge, Shard};
/// use phiscrub::Config;
/// let shard_with = |k, config: &Config| {
///     let r = Report::new("scrub", config, None, &[], &[], Default::default())
///         .with_shard(Shard::new(k, 2).unwrap(), 0);
///     serde_json::from_str::<serde_json::Value>(&r.to_json()).unwrap()
/// };
/// let shard = |k| shard_with(k, &Config::default());
/// let whole = merge(&[shard(1), shard(2)])?;
/// assert_eq!(whole["totals"]["files"], 0);
/// let missing = merge(&[shard(1)]).unwrap_err();
/// assert!(missing.contains("shard 2 of 2 is missing"), "{missing}");
/// // A shard run without text detection is not part of a run with it.
/// let no_text = Config { detect_text: false, ..Config::default() };
/// assert!(merge(&[shard(1), shard_with(2, &no_text)]).is_err());
/// # Ok::<(), String>(())
/// ```
pub fn merge(reports: &[serde_json::Value]) -> Result<serde_json::Value, String> {
    use serde_json::{Value, json};
    let first = reports.first().ok_or("no report to merge")?;
    // Shards made with other settings or models are not one run; the device
    // may differ (an output verified on a GPU is as safe as on the CPU).
    let key = |r: &Value| {
        let mut settings = r["settings"].clone();
        if let Some(s) = settings.as_object_mut() {
            s.remove("device");
        }
        (
            (
                r["schema"].clone(),
                r["version"].clone(),
                r["command"].clone(),
            ),
            (r["phiscrub_version"].clone(), r["models"].clone(), settings),
            (r["shard"]["count"].clone(), r["shard"]["listed"].clone()),
        )
    };
    let count = first["shard"]["count"].as_u64().ok_or(
        "the first report is not a shard's (it has no \"shard\"): run each shard with --shard",
    )?;
    let listed = first["shard"]["listed"].as_u64().unwrap_or(0);
    let mut seen = vec![false; count as usize];
    for (i, r) in reports.iter().enumerate() {
        if key(r) != key(first) {
            return Err(format!(
                "report {} is not a shard of the same run as the first (its version, models, settings, shard count or listed total differ): run every shard with the same options",
                i + 1
            ));
        }
        let k = r["shard"]["index"].as_u64().unwrap_or(0);
        if k == 0 || k > count {
            return Err(format!("report {} names shard {k} of {count}", i + 1));
        }
        if std::mem::replace(&mut seen[k as usize - 1], true) {
            return Err(format!("shard {k} of {count} is given twice"));
        }
    }
    if let Some(k) = seen.iter().position(|s| !s) {
        return Err(format!(
            "shard {} of {count} is missing: run it (or run it again) and merge all {count}",
            k + 1
        ));
    }
    let mut files: Vec<Value> = Vec::new();
    let mut inputs = std::collections::BTreeSet::new();
    for r in reports {
        for f in r["files"].as_array().into_iter().flatten() {
            let input = f["input"].as_str().unwrap_or_default().to_string();
            if !inputs.insert(input.clone()) {
                return Err(format!("{input} is in two shards' reports"));
            }
            files.push(f.clone());
        }
    }
    if files.len() as u64 != listed {
        return Err(format!(
            "the shards report {} files, but the run listed {listed}: a shard did not finish; run it again",
            files.len()
        ));
    }
    let count_of = |status: &str| files.iter().filter(|f| f["status"] == status).count();
    let mut findings = serde_json::Map::new();
    for r in reports {
        for (kind, n) in r["totals"]["findings"].as_object().into_iter().flatten() {
            let sum =
                findings.get(kind).and_then(Value::as_u64).unwrap_or(0) + n.as_u64().unwrap_or(0);
            findings.insert(kind.clone(), json!(sum));
        }
    }
    let seconds = reports
        .iter()
        .filter_map(|r| r["totals"]["seconds"].as_f64())
        .fold(0.0, f64::max);
    let mut warnings: Vec<Value> = Vec::new();
    for w in reports
        .iter()
        .flat_map(|r| r["warnings"].as_array().into_iter().flatten())
    {
        if !warnings.contains(w) {
            warnings.push(w.clone());
        }
    }
    let mut whole = first.clone();
    let obj = whole
        .as_object_mut()
        .ok_or("a report is not a JSON object")?;
    obj.remove("shard");
    obj.insert("warnings".into(), Value::Array(warnings));
    obj.insert(
        "totals".into(),
        json!({
            "files": files.len(),
            "exported": count_of("exported"),
            "refused": count_of("refused"),
            "failed": count_of("failed"),
            "would_leak": files.iter().filter(|f| f["would_leak"] == true).count(),
            "findings": findings,
            // The shards ran side by side: the whole run took as long as the
            // longest.
            "seconds": seconds,
        }),
    );
    obj.insert("files".into(), Value::Array(files));
    Ok(whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_a_thousand_paths_evenly_and_stably() {
        let paths: Vec<String> = (0..1000).map(|i| format!("ward/{i:04}.jpg")).collect();
        let shards: Vec<Shard> = (1..=4).map(|k| Shard::new(k, 4).unwrap()).collect();
        let mut sizes = [0usize; 4];
        for p in &paths {
            let owners: Vec<usize> = (0..4).filter(|&k| shards[k].holds(Path::new(p))).collect();
            assert_eq!(owners.len(), 1, "{p}");
            sizes[owners[0]] += 1;
        }
        assert!(sizes.iter().all(|&s| (200..=300).contains(&s)), "{sizes:?}");
        // The same path is always in the same shard: a pinned case.
        assert!(Shard::new(1, 1).unwrap().holds(Path::new("anything")));
    }
}
