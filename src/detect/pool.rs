//! A pool of detectors, one per concurrent caller. `ort::Session::run` needs
//! `&mut self`, so sessions cannot be shared; creating one per image would cost
//! a model load each time. Workers take a detector, use it, and put it back,
//! so the pool grows to the number of threads that ever ran at once.

use std::sync::Mutex;

type Factory<T> = Box<dyn Fn() -> Result<T, String> + Send + Sync>;

pub(crate) struct Pool<T> {
    idle: Mutex<Vec<T>>,
    make: Factory<T>,
}

impl<T> Pool<T> {
    pub(crate) fn new(make: Factory<T>) -> Self {
        Pool {
            idle: Mutex::new(Vec::new()),
            make,
        }
    }

    /// Seeds the pool with one ready item, so that a broken factory shows up
    /// at start rather than on the first image.
    pub(crate) fn prime(&self) -> Result<(), String> {
        let item = (self.make)()?;
        self.put(item);
        Ok(())
    }

    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Result<R, String> {
        let taken = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        let mut item = match taken {
            Some(item) => item,
            None => (self.make)()?,
        };
        let out = f(&mut item);
        self.put(item);
        Ok(out)
    }

    fn put(&self, item: T) {
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(item);
    }

    #[cfg(test)]
    pub(crate) fn idle_len(&self) -> usize {
        self.idle.lock().unwrap().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn reuses_items_and_grows_only_under_concurrency() {
        let made = Arc::new(AtomicUsize::new(0));
        let m = made.clone();
        let pool = Pool::new(Box::new(move || Ok(m.fetch_add(1, Ordering::SeqCst))));
        for _ in 0..5 {
            pool.with(|_| ()).unwrap();
        }
        assert_eq!(made.load(Ordering::SeqCst), 1);
        // Two nested uses need two items at once.
        pool.with(|_| pool.with(|_| ()).unwrap()).unwrap();
        assert_eq!(made.load(Ordering::SeqCst), 2);
        assert_eq!(pool.idle_len(), 2);
    }

    #[test]
    fn factory_errors_are_returned() {
        let pool: Pool<u8> = Pool::new(Box::new(|| Err("no model".into())));
        assert_eq!(pool.with(|_| ()).unwrap_err(), "no model");
        assert!(pool.prime().is_err());
    }
}
