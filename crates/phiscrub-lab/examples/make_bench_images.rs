//! Writes N copies of a photo resized to a given size, as JPEG quality 92,
//! for throughput benchmarks (e.g. 12-megapixel phone-sized photos).
//!
//! `cargo run --release -p phiscrub-lab --example make_bench_images -- SRC OUTDIR N WIDTH HEIGHT`

use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 5 {
        eprintln!("usage: make_bench_images SRC OUTDIR N WIDTH HEIGHT");
        std::process::exit(2);
    }
    let src = image::open(&args[0]).unwrap_or_else(|e| panic!("{}: {e}", args[0]));
    let out = PathBuf::from(&args[1]);
    let n: usize = args[2].parse().expect("N is a number");
    let (w, h): (u32, u32) = (
        args[3].parse().expect("WIDTH"),
        args[4].parse().expect("HEIGHT"),
    );
    std::fs::create_dir_all(&out).unwrap();
    let big = src
        .resize_exact(w, h, image::imageops::FilterType::CatmullRom)
        .to_rgb8();
    for i in 0..n {
        let path = out.join(format!("photo_{i:03}.jpg"));
        let file = std::fs::File::create(&path).unwrap();
        let enc =
            image::codecs::jpeg::JpegEncoder::new_with_quality(std::io::BufWriter::new(file), 92);
        big.write_with_encoder(enc).unwrap();
    }
}
