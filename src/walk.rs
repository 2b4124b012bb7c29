//! Turning the command line's inputs into a list of images and the relative
//! path each one will have under the output folder.

use crate::format::Format;
use crate::i18n::path_arg;
use crate::t;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One input file and where its output goes, relative to the output folder.
///
/// ```
/// use phiscrub::walk::plan;
/// use std::path::Path;
/// # let dir = tempfile::tempdir()?;
/// # let photos = dir.path().join("photos");
/// std::fs::create_dir_all(photos.join("ward 4"))?;
/// std::fs::write(photos.join("ward 4/bed2.png"), b"")?;
/// let out = dir.path().join("clean");
/// let job = &plan(&[photos.clone()], &out, None).jobs[0];
/// assert_eq!(job.input, photos.join("ward 4/bed2.png"));
/// // The output keeps the file's place inside the folder given.
/// assert_eq!(out.join(&job.relative), out.join("ward 4/bed2.png"));
/// assert_eq!(job.shown, Path::new("ward 4/bed2.png"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// The input file's path: as given on the command line, or the folder given
    /// joined with the file's path inside it (links not resolved).
    pub input: PathBuf,
    /// Where the output goes, relative to the output folder.
    pub relative: PathBuf,
    /// The name reports show for the input: its path relative to the folder
    /// it was found in, or its neutral name under `--rename`.
    pub shown: PathBuf,
}

/// The files to process, and the inputs that could not even be listed.
///
/// ```
/// use phiscrub::walk::plan;
/// # let dir = tempfile::tempdir()?;
/// let here = dir.path().join("a.jpg");
/// std::fs::write(&here, b"")?;
/// let gone = dir.path().join("b.jpg");
/// let plan = plan(&[here, gone.clone()], &dir.path().join("out"), None);
/// assert_eq!(plan.jobs.len(), 1);
/// // A missing input is reported, not silently skipped.
/// let (path, why) = &plan.problems[0];
/// assert_eq!(path, &gone);
/// assert!(why.contains("does not exist"), "{why}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct Plan {
    /// The files to process, in input order (a folder's files sorted by name
    /// within each folder).
    pub jobs: Vec<Job>,
    /// `(path, message)` for inputs that are missing, unreadable folders,
    /// symlink loops, or would collide with another input's output.
    pub problems: Vec<(PathBuf, String)>,
}

/// Lists the inputs. A file keeps its own name under the output folder; a
/// folder is walked recursively and its files keep their paths relative to it.
/// Hidden files and folders (names starting with `.`) and the output folder
/// itself are skipped, so a second run never re-reads its own outputs. With
/// `convert_to`, output names take that format's extension, and collisions are
/// judged on those final names.
///
/// ```
/// use phiscrub::walk::plan;
/// use phiscrub::Format;
/// # let dir = tempfile::tempdir()?;
/// # let photos = dir.path().join("photos");
/// # std::fs::create_dir_all(photos.join(".thumbnails"))?;
/// for name in ["a.png", "b.tif", ".hidden.jpg", ".thumbnails/a.jpg", "Thumbs.db"] {
///     std::fs::write(photos.join(name), b"")?;
/// }
/// let out = photos.join("clean");
/// std::fs::create_dir(&out)?;
/// std::fs::write(out.join("old.jpg"), b"")?; // a previous run's output
/// let p = plan(&[photos.clone()], &out, Some(Format::Jpeg));
/// let names: Vec<_> = p.jobs.iter().map(|j| j.relative.to_str().unwrap()).collect();
/// // Hidden files, OS clutter and the output folder are skipped; names take
/// // the extension of the format asked for.
/// assert_eq!(names, ["a.jpg", "b.jpg"]);
/// assert!(p.problems.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn plan(inputs: &[PathBuf], out_dir: &Path, convert_to: Option<Format>) -> Plan {
    plan_with(inputs, out_dir, convert_to, false)
}

/// [`plan`], following symbolic links to folders and files inside the
/// folders given when `follow` is set (`--follow`). Without it they are
/// skipped, as `rg` and `fd` do: a link pointing above the input would
/// otherwise bring the same photos in twice under two names. Either way a
/// file reached twice (named twice, or through two links) is processed once,
/// and something that is neither a file nor a folder (a FIFO, a device) is
/// reported rather than skipped.
///
/// ```
/// use phiscrub::walk::plan_with;
/// # let dir = tempfile::tempdir()?;
/// let photos = dir.path().join("photos");
/// std::fs::create_dir_all(photos.join("ward"))?;
/// std::fs::write(photos.join("ward/a.png"), b"")?;
/// std::os::unix::fs::symlink(&photos, photos.join("ward/back-up"))?;
/// let out = dir.path().join("out");
/// let names = |follow| -> Vec<String> {
///     plan_with(&[photos.clone()], &out, None, follow).jobs.iter()
///         .map(|j| j.relative.display().to_string()).collect()
/// };
/// assert_eq!(names(false), ["ward/a.png"]);
/// // Followed, the link leads back to the same photo: processed once.
/// assert_eq!(names(true), ["ward/a.png"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn plan_with(
    inputs: &[PathBuf],
    out_dir: &Path,
    convert_to: Option<Format>,
    follow: bool,
) -> Plan {
    let out_canon = out_dir.canonicalize().ok();
    let mut plan = Plan::default();
    let mut seen: HashMap<PathBuf, PathBuf> = HashMap::new();
    let mut reached: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
    let mut push = |plan: &mut Plan, input: PathBuf, relative: PathBuf| {
        if !reached.insert(input.canonicalize().unwrap_or_else(|_| input.clone())) {
            return;
        }
        let shown = relative.clone();
        let relative = match convert_to {
            Some(f) => with_extension_for(&relative, f),
            // A format phiscrub only reads is written as its default output
            // (HEIC as JPEG, BMP as PNG), and named so. `process` renames any
            // output whose content the name still misnames.
            None => match extension_format(&relative) {
                Some(f) if !f.writable() => with_extension_for(&relative, f.default_output()),
                _ => relative,
            },
        };
        if let Some(first) = seen.get(&relative) {
            plan.problems.push((
                input,
                t!(
                    "file-collision",
                    output = path_arg(&out_dir.join(&relative)),
                    first = path_arg(first)
                ),
            ));
            return;
        }
        seen.insert(relative.clone(), input.clone());
        plan.jobs.push(Job {
            input,
            relative,
            shown,
        });
    };

    for input in inputs {
        let meta = match std::fs::metadata(input) {
            Ok(m) => m,
            Err(e) => {
                plan.problems.push((input.clone(), describe_io(&e)));
                continue;
            }
        };
        if !meta.is_file() && !meta.is_dir() {
            plan.problems.push((input.clone(), t!("file-special")));
            continue;
        }
        if meta.is_file() {
            match input.file_name() {
                Some(name) => push(&mut plan, input.clone(), PathBuf::from(name)),
                None => plan.problems.push((input.clone(), t!("file-no-name"))),
            }
            continue;
        }
        let walker = walkdir::WalkDir::new(input)
            .follow_links(follow)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                let hidden = e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.');
                let is_out = out_canon.as_ref().is_some_and(|o| {
                    e.file_type().is_dir() && e.path().canonicalize().ok().as_ref() == Some(o)
                });
                !hidden && !is_out
            });
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_file() => {
                    if is_os_clutter(e.file_name()) {
                        continue;
                    }
                    let rel = e
                        .path()
                        .strip_prefix(input)
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|_| PathBuf::from(e.file_name()));
                    push(&mut plan, e.path().to_path_buf(), rel);
                }
                Ok(_) => {}
                Err(e) => {
                    let path = e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| input.clone());
                    let msg = if e.loop_ancestor().is_some() {
                        t!("file-loop")
                    } else if let Some(io) = e.io_error() {
                        describe_io(io)
                    } else {
                        e.to_string()
                    };
                    plan.problems.push((path, msg));
                }
            }
        }
    }
    plan
}

/// The input folder that `out_dir` lies inside (or is), if any. Outputs
/// written inside an input folder end up beside the originals they came
/// from, where a later run or a colleague easily takes one for the other, so
/// the command line refuses this unless asked (`--allow-nested`). The output
/// folder need not exist yet: its nearest existing ancestor is resolved, so
/// symbolic links and `..` cannot hide the nesting.
///
/// ```
/// use phiscrub::walk::output_inside_input;
/// let d = tempfile::tempdir().unwrap();
/// let photos = d.path().join("photos");
/// std::fs::create_dir(&photos).unwrap();
/// let inputs = [photos.clone()];
/// assert!(output_inside_input(&photos.join("clean/new"), &inputs).is_some());
/// assert!(output_inside_input(&d.path().join("clean"), &inputs).is_none());
/// ```
pub fn output_inside_input(out_dir: &Path, inputs: &[PathBuf]) -> Option<PathBuf> {
    let out = resolve(out_dir)?;
    inputs
        .iter()
        .filter(|i| i.is_dir())
        .find(|i| i.canonicalize().is_ok_and(|c| out.starts_with(c)))
        .cloned()
}

/// Where `path` really leads, whether or not it exists yet: made absolute,
/// then taken one component at a time, each existing prefix resolved
/// (symbolic links followed) before a `..` after it is applied, as the
/// system would. So neither links nor `x/../` can hide where a file lands.
///
/// ```
/// use phiscrub::walk::resolve;
/// let d = tempfile::tempdir().unwrap();
/// let base = d.path().canonicalize().unwrap();
/// let out = base.join("out");
/// assert_eq!(resolve(&base.join("nothing/../out/map.csv")), Some(out.join("map.csv")));
/// ```
pub fn resolve(path: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let abs = std::path::absolute(path).ok()?;
    let mut cur = PathBuf::new();
    for part in abs.components() {
        match part {
            Component::Prefix(_) | Component::RootDir => cur.push(part.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                cur.pop();
            }
            Component::Normal(name) => {
                cur.push(name);
                if let Ok(real) = cur.canonicalize() {
                    cur = real;
                }
            }
        }
    }
    Some(cur)
}

/// Gives every job a neutral name, `image-0001.jpg` onwards in plan order
/// (the extension of its output format), flat in the output folder, for
/// when names or folder names themselves identify a patient. Returns
/// `(neutral name, input path)` pairs: the only link back, to be kept apart
/// from the outputs.
///
/// ```
/// use phiscrub::walk::{rename, Job, Plan};
/// use std::path::PathBuf;
/// let job = |p: &str| Job { input: p.into(), relative: p.into(), shown: p.into() };
/// let mut plan = Plan { jobs: vec![job("Dupont/a.JPG"), job("Martin/b.png")], problems: vec![] };
/// let map = rename(&mut plan);
/// assert_eq!(plan.jobs[1].relative, PathBuf::from("image-0002.png"));
/// assert_eq!(map[0], (PathBuf::from("image-0001.jpg"), PathBuf::from("Dupont/a.JPG")));
/// ```
pub fn rename(plan: &mut Plan) -> Vec<(PathBuf, PathBuf)> {
    let mut map = Vec::with_capacity(plan.jobs.len());
    for (i, job) in plan.jobs.iter_mut().enumerate() {
        let ext = job.relative.extension().and_then(|e| e.to_str());
        let ext = match ext.and_then(Format::from_name) {
            Some(f) => f.extension().to_string(),
            None => ext.unwrap_or("").to_ascii_lowercase(),
        };
        let mut neutral = PathBuf::from(format!("image-{:04}", i + 1));
        if !ext.is_empty() {
            neutral.set_extension(ext);
        }
        map.push((neutral.clone(), job.input.clone()));
        job.relative = neutral.clone();
        job.shown = neutral;
    }
    map
}

/// A plan for files listed one by one (`--files-from`): each output keeps
/// the path as listed (without its root), so that files of the same name in
/// different folders of an archive do not collide. A listed path with `..`
/// in it, or one that is not a file, is a problem; a path listed twice is
/// processed once.
///
/// ```
/// use phiscrub::walk::plan_list;
/// # let dir = tempfile::tempdir()?;
/// std::fs::create_dir_all(dir.path().join("2024/ward"))?;
/// std::fs::write(dir.path().join("2024/ward/a.png"), b"")?;
/// let listed = dir.path().join("2024/ward/a.png");
/// let p = plan_list(&[listed.clone(), listed, "../x.png".into()], None);
/// assert_eq!(p.jobs.len(), 1);
/// assert!(p.jobs[0].relative.ends_with("2024/ward/a.png"));
/// assert_eq!(p.problems.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn plan_list(paths: &[PathBuf], convert_to: Option<Format>) -> Plan {
    use std::path::Component;
    let mut plan = Plan::default();
    let mut seen: HashMap<PathBuf, PathBuf> = HashMap::new();
    for input in paths {
        if input.components().any(|c| c == Component::ParentDir) {
            plan.problems.push((input.clone(), t!("file-list-parent")));
            continue;
        }
        match std::fs::metadata(input) {
            Ok(m) if m.is_file() => {}
            Ok(_) => {
                plan.problems.push((input.clone(), t!("file-special")));
                continue;
            }
            Err(e) => {
                plan.problems.push((input.clone(), describe_io(&e)));
                continue;
            }
        }
        let shown: PathBuf = input
            .components()
            .filter(|c| matches!(c, Component::Normal(_)))
            .collect();
        let relative = match convert_to {
            Some(f) => with_extension_for(&shown, f),
            None => match extension_format(&shown) {
                Some(f) if !f.writable() => with_extension_for(&shown, f.default_output()),
                _ => shown.clone(),
            },
        };
        if let Some(first) = seen.get(&relative) {
            if first != input {
                plan.problems.push((
                    input.clone(),
                    t!(
                        "file-collision",
                        output = path_arg(&relative),
                        first = path_arg(first)
                    ),
                ));
            }
            continue;
        }
        seen.insert(relative.clone(), input.clone());
        plan.jobs.push(Job {
            input: input.clone(),
            relative,
            shown,
        });
    }
    plan
}

/// Keeps the jobs and problems of `shard` only (by the path a report shows).
///
/// ```
/// use phiscrub::shard::Shard;
/// use phiscrub::walk::{keep_shard, Job, Plan};
/// let job = |p: &str| Job { input: p.into(), relative: p.into(), shown: p.into() };
/// let all = || Plan { jobs: (0..40).map(|i| job(&format!("{i}.jpg"))).collect(), problems: vec![] };
/// let kept: usize = (1..=3).map(|k| keep_shard(all(), Shard::new(k, 3).unwrap()).jobs.len()).sum();
/// assert_eq!(kept, 40);
/// ```
pub fn keep_shard(mut plan: Plan, shard: crate::shard::Shard) -> Plan {
    plan.jobs.retain(|j| shard.holds(&j.shown));
    plan.problems.retain(|(p, _)| shard.holds(p));
    plan
}

/// The format a path's extension names, read-only formats included.
fn extension_format(path: &Path) -> Option<Format> {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(Format::from_extension)
}

/// `relative` renamed for format `f`, unless its extension already names it.
pub(crate) fn with_extension_for(relative: &Path, f: Format) -> PathBuf {
    if extension_format(relative) == Some(f) {
        relative.to_path_buf()
    } else {
        relative.with_extension(f.extension())
    }
}

/// Files that operating systems drop into photo folders; never images.
fn is_os_clutter(name: &std::ffi::OsStr) -> bool {
    let n = name.to_string_lossy().to_ascii_lowercase();
    n == "thumbs.db" || n == "desktop.ini"
}

/// A one-line explanation of an I/O error on an input, with what to do.
///
/// ```
/// use phiscrub::walk::describe_io;
/// use std::io::{Error, ErrorKind};
/// let e = std::fs::read("/no/such/folder/bed2.jpg").unwrap_err();
/// assert_eq!(describe_io(&e), "does not exist; check the path");
/// let denied = describe_io(&Error::from(ErrorKind::PermissionDenied));
/// assert!(denied.contains("permission denied"), "{denied}");
/// // Anything else keeps the system's own words.
/// let other = describe_io(&Error::other("stale file handle"));
/// assert!(other.contains("stale file handle"), "{other}");
/// ```
pub fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => t!("file-not-found"),
        std::io::ErrorKind::PermissionDenied => t!("file-permission"),
        _ => t!("file-io", detail = e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn converting_renames_and_detects_collisions_on_final_names() {
        let d = tempfile::tempdir().unwrap();
        for p in ["a.png", "a.tif", "b.JPG", "c.jpeg"] {
            fs::write(d.path().join(p), b"x").unwrap();
        }
        let plan = plan(
            &[d.path().to_path_buf()],
            &d.path().join("out"),
            Some(Format::Jpeg),
        );
        let rels: Vec<_> = plan
            .jobs
            .iter()
            .map(|j| j.relative.to_string_lossy().into_owned())
            .collect();
        assert_eq!(rels, vec!["a.jpg", "b.JPG", "c.jpeg"]);
        // a.tif would also become a.jpg.
        assert_eq!(plan.problems.len(), 1);
        assert!(plan.problems[0].0.ends_with("a.tif"));
    }

    #[test]
    fn folders_keep_relative_paths_and_skip_hidden_and_output() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("in");
        fs::create_dir_all(root.join("ward/bed2")).unwrap();
        fs::create_dir_all(root.join(".cache")).unwrap();
        fs::create_dir_all(root.join("out")).unwrap();
        for p in [
            "a.jpg",
            "ward/b.png",
            "ward/bed2/c.jpg",
            ".hidden.jpg",
            ".cache/x.jpg",
            "out/old.jpg",
            "Thumbs.db",
        ] {
            fs::write(root.join(p), b"x").unwrap();
        }
        let plan = plan(std::slice::from_ref(&root), &root.join("out"), None);
        let rels: Vec<_> = plan
            .jobs
            .iter()
            .map(|j| j.relative.to_string_lossy().into_owned())
            .collect();
        assert_eq!(rels, vec!["a.jpg", "ward/b.png", "ward/bed2/c.jpg"]);
        assert!(plan.problems.is_empty());
    }

    #[test]
    fn missing_inputs_and_collisions_are_problems() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("x")).unwrap();
        fs::create_dir_all(d.path().join("y")).unwrap();
        fs::write(d.path().join("x/a.jpg"), b"1").unwrap();
        fs::write(d.path().join("y/a.jpg"), b"2").unwrap();
        let inputs = [
            d.path().join("x/a.jpg"),
            d.path().join("y/a.jpg"),
            d.path().join("nope.jpg"),
        ];
        let plan = plan(&inputs, &d.path().join("out"), None);
        assert_eq!(plan.jobs.len(), 1);
        assert_eq!(plan.problems.len(), 2);
        assert!(plan.problems[0].1.contains("already taken"));
        assert!(plan.problems[1].1.contains("does not exist"));
    }
}
