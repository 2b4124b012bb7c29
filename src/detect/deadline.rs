//! A time limit for the scrub running on this thread, checked before every
//! network inference (each tile of each pass), so a scrub past its limit
//! stops within one tile and frees its worker instead of running to the end.
//!
//! Thread-local because a scrub runs start to end on the thread that called
//! it; ONNX Runtime's own threads only ever run one inference.

use super::DetectError;
use std::cell::Cell;
use std::time::Instant;

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// `Err` once this thread's deadline (if any) has passed.
pub(crate) fn check() -> Result<(), DetectError> {
    match DEADLINE.get() {
        Some(d) if Instant::now() >= d => Err(DetectError::TimeLimit),
        _ => Ok(()),
    }
}

/// Whether this thread's deadline (if any) has passed.
pub(crate) fn passed() -> bool {
    check().is_err()
}

/// Runs `f` with `deadline` set for this thread, restoring the previous one
/// afterwards (also when `f` unwinds).
pub(crate) fn within<T>(deadline: Option<Instant>, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Instant>);
    impl Drop for Restore {
        fn drop(&mut self) {
            DEADLINE.set(self.0);
        }
    }
    let _restore = Restore(DEADLINE.replace(deadline));
    f()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_passed_deadline_stops_checks_and_is_restored_after() {
        assert!(check().is_ok());
        let past = Instant::now() - Duration::from_millis(1);
        within(Some(past), || {
            assert!(matches!(check(), Err(DetectError::TimeLimit)));
            within(None, || assert!(check().is_ok()));
            assert!(passed());
        });
        assert!(check().is_ok());
        let later = Instant::now() + Duration::from_secs(60);
        within(Some(later), || assert!(check().is_ok()));
    }
}
