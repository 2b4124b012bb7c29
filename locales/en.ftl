# phiscrub's messages in English. Every id here must also be in fr.ftl
# (a unit test checks it). Arguments are written { $name }.

## Errors about one image (the file name is put in front by the caller)

err-not-an-image = not an image (phiscrub reads JPEG, PNG, WebP, TIFF, GIF, HEIC, AVIF and BMP, and pptx, docx, odp and odt documents, judged by content); remove it from the input, or convert it to one of those formats
err-corrupt = the image data is damaged or truncated ({ $detail }); export it again from the original
err-too-large = the image is { $width }×{ $height } pixels, over the limit of { $limit } pixels; scale it down first
err-over-memory = decoding the image would need more memory than phiscrub allows for its size ({ $detail }); scale it down, or save it again as an 8-bit JPEG or PNG, first
err-io = cannot read the file ({ $detail }); check that it exists and that you may read it
err-internal = internal error: { $detail }. Nothing was written; please report this with the command you ran
refused-unsupported = refused: { $what } cannot be made safe by phiscrub yet; nothing was written. Convert it to JPEG or PNG (for example by exporting it from your photo app) and scrub that copy
refused-multi-frame = refused: the file holds { $frames } pictures ({ $what }), and every one may show the patient; nothing was written. Pass --first-frame to export only the first, scrubbed
refused-residual = refused: after redaction the verification still finds { $kinds }{ $places }; nothing was written. Redact or crop that area by hand and run again, or lower --face-threshold (faces) or --text-threshold (text) so detection catches it
refused-residual-at = { " " }at { $list }
refused-detector = refused: a detector failed ({ $detail }), so the image could not be checked; nothing was written. Run again; if it persists, report it
refused-time-limit = refused: the image took longer than the time limit and was stopped; nothing was written. Send it again with a longer limit, or scaled down
refused-verification = refused: the output failed verification ({ $detail }); nothing was written. Please report this with the command you ran
residual-nothing = nothing identifiable
residual-and = { " " }and{ " " }
count-face = { $n } face(s)
count-text = { $n } text region(s)
count-code = { $n } code(s)
count-wristband = { $n } wristband(s)

## Errors about files and folders

file-not-found = does not exist; check the path
file-permission = permission denied; check that you may read it
file-io = cannot be read ({ $detail }); check that it exists and that you may read it
file-no-name = has no file name
file-loop = is a symbolic link back into a folder being walked (a loop); skipped
file-list-parent = a listed path may not contain ".."; list it from the archive's root
file-special = is neither a file nor a folder (a FIFO, device or socket); name a photo or a folder of photos
file-collision = its output { $output } is already taken by { $first }; rename one of them or scrub them in separate runs
out-replaces-input = its output { $output } would replace the input itself; choose an --out folder outside the inputs
out-exists = its output { $output } already exists and was not overwritten; delete it, choose another --out, or pass --force
out-write = its output { $output } could not be written ({ $detail }); check that the output folder is writable and has space
out-through-link = its output { $output } would be written through the symbolic link { $link }, which may lead outside the output folder; remove the link or choose another output folder
out-flush = the outputs were written but could not be flushed to disk ({ $detail }); check the output folder's disk
workers-failed = could not start worker threads: { $detail }
unlisted = could not be listed; see the run's messages
report-exists = the report { $path } already exists and was not overwritten; choose another name or pass --force
report-write = the report { $path } could not be written ({ $detail }); check the folder is writable
review-exists = the review sheet { $path } already exists and was not overwritten; choose another name or pass --force
review-write = the review sheet { $path } could not be written ({ $detail }); check the folder is writable

## Starting up

setup-model = could not load the { $model } model into ONNX Runtime: { $detail }. The embedded model may be damaged: rebuild phiscrub from a clean checkout
rt-not-found = ONNX Runtime { $version } was not found (looked at: { $looked }). Fix: run `cargo build` again with access to PyPI, which fetches and checks it; or copy { $lib } (from the onnxruntime=={ $version } wheel, onnxruntime/capi/) next to the phiscrub binary; or set ORT_DYLIB_PATH=/path/to/{ $lib }.
rt-load = ONNX Runtime at { $path } could not be loaded: { $detail }. Fix: point ORT_DYLIB_PATH at a working { $lib }, or rebuild phiscrub so it provisions one
rt-device = the { $model } network cannot run on { $device }: { $detail }. phiscrub never falls back to the CPU on its own: run without --device (CPU), or use a build with the CUDA runtime (cargo build --features cuda) on a machine with that GPU and the CUDA 13 and cuDNN 9 libraries
rt-start = ONNX Runtime at { $path } failed to start: { $detail }
cfg-face-threshold = the face threshold must be above 0 and at most 1 (got { $value })
cfg-verify-threshold = the verification threshold must be above 0 and at most 1 (got { $value })
cfg-text-threshold = the text threshold must be above 0 and at most 1 (got { $value })
cfg-second-face-threshold = the second face detector's threshold must be above 0 and at most 1 (got { $value })
cfg-text-detail = the text detail size must be between 256 and 16384 pixels (got { $value })
cfg-verify-above-face = the verification threshold ({ $verify }) must not exceed the face threshold ({ $face }): the check must be at least as sensitive as the detection
cfg-padding = the face padding must be between 1 and 4 times the face box (got { $value })
cfg-detect-size = the detection size must be between 64 and 16384 pixels (got { $value })
cfg-min-face = the smallest face must be between 4 and 1024 pixels (got { $value })
cfg-tile = the detection tile must be between 128 and 4096 pixels (got { $value })
cfg-quality = the JPEG quality must be between 1 and 100 (got { $value })
cfg-threads = the threads per worker (--threads-per-job) must be at least 1
cfg-pixels = the pixel limit must be at least 1
cfg-memory = the memory limit per image must be at least 1 byte

## The command line

cli-about = Makes clinical photos safe to share: covers faces, text, codes and wristbands, drops all metadata, refuses what it cannot make safe.
cli-after-help = Exit codes: 0 all exported (check: nothing would leak); 1 could not start; 2 usage error; 3 some image refused (check: would leak); 4 some file failed.
cli-usage-heading = Usage:
cli-options-heading = Options:
cli-arguments-heading = Arguments:
cli-commands-heading = Commands:
cli-usage-error = the command line is not right; see phiscrub --help
jobs-zero = --jobs must be at least 1
out-nested = the output folder { $out } is inside the input folder { $input }; choose an --out folder outside it, or pass --allow-nested
out-create = cannot create the output folder { $path } ({ $detail }); check the path and your permissions
no-files = no files found in the inputs
map-inside-out = the name map { $map } would be inside the output folder { $out }, which is meant to be shared; put it elsewhere
map-exists = the name map { $map } already exists; choose another name or pass --force
map-write = the name map { $map } could not be written: { $detail }
warning-line = warning: { $text }
warning-loud-line = WARNING: { $text }
warn-metadata-only = --metadata-only: faces, text and codes were NOT looked for; the pictures are exported as they are
warn-off = { $what } NOT covered on request; check every exported picture by eye
warn-document-text = the TEXT of slides and pages (titles, notes, tables) is NOT checked or covered in decks and documents, only their pictures and metadata; read every slide before sharing
off-faces = faces
off-text = text (names, dates, record numbers)
off-codes = barcodes
list-sep = ,{ " " }
progress-images = images
kind-count = { $n } { $kind ->
    [face] face
    [text] text
    [code] code
   *[wristband] wristband
  }
summary-counts = { $total } image(s): { $exported } exported, { $refused } refused, { $failed } failed
summary-nothing-covered = nothing covered
summary-covered = covered: { $list }
summary-scrub = { $counts }; { $covered }; outputs in { $out }
summary-limits = Look at every exported picture before sharing it: automatic detection does not see tattoos, distinctive scars, rare conditions or a recognisable setting, and these can still identify a person.
summary-review = review sheet: { $path }
check-failed = could not be checked: { $detail }
check-refused = WOULD LEAK: scrub would refuse it: { $detail }
check-clean = clean: no face, text, code or identifying metadata found
check-shows = shows { $list }
check-metadata = metadata: { $list }
check-leak = WOULD LEAK: { $parts }
check-summary = { $total } image(s) checked: { $leaking } would leak, { $clean } clean, { $failed } could not be read
inspect-pictures = { $container } { $size }, { $frames } picture(s)
inspect-size-unknown = size unknown
inspect-icc = , ICC profile (kept by default)
inspect-orientation = , orientation { $value }
inspect-none = no identifying metadata found
inspect-note = note: { $note }
inspect-summary = { $total } file(s) inspected: { $hazards } carry identifying metadata, { $failed } could not be read
doctor-runtime = ONNX Runtime { $version }:
doctor-found = found
doctor-absent = absent
doctor-loaded = loaded { $path }
doctor-not-loaded = not loaded: { $detail }
doctor-models = Embedded models:
doctor-ok = ok
doctor-damaged = DAMAGED

## The review sheet (HTML)

review-title = phiscrub review sheet
review-intro = What phiscrub did to each picture. The thumbnails are made from the exported (scrubbed) files only; each covered region is outlined and labelled.
review-run = { $total } image(s): { $exported } exported, { $refused } refused, { $failed } failed. Output folder: { $out }.
review-exported = Exported
review-not-exported = Refused or failed: nothing was written for these
review-none = None.
review-col-file = File
review-col-status = Status
review-col-reason = Why
review-col-found = Covered
review-status-refused = refused
review-status-failed = failed
review-nothing-covered = nothing to cover
review-metadata = metadata removed: { $list }
review-no-metadata = no identifying metadata
review-thumb-missing = the exported file could not be read back for a thumbnail ({ $detail })
review-label-face = face
review-label-text = text
review-label-code = code
review-label-wristband = wristband
review-warning = Warning: { $text }
cli-default = [default: { $value }]
cli-possible = [possible values: { $values }]

## phiscrub serve

serve-listening = phiscrub serve: listening on http://{ $addr }
serve-token-empty = the token file { $path } is empty; put the token on its first line
serve-token-read = the token file { $path } cannot be read ({ $detail }); check the path and your permissions
serve-needs-token = --bind { $bind } would accept requests from the network without a token; pass --token-file, or bind to 127.0.0.1
serve-limits = --max-body-mb, --timeout, --body-timeout and --max-connections must be at least 1
serve-failed = cannot serve on { $bind } ({ $detail }); is another program using that port?
