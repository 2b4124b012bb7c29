#![no_main]
//! The PNG walker: never panics, and what it accepts has readable image
//! data. (PNG outputs are always encoded from pixels.)
use libfuzzer_sys::fuzz_target;
use phiscrub::metadata::png;

fuzz_target!(|data: &[u8]| {
    if png::examine(data).is_ok() {
        png::image_data(data).expect("image_data fails on a file examine accepted");
    }
});
