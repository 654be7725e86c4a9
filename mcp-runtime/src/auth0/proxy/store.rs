//! The proxy's pending items (authorizations at Auth0, consent forms, issued codes): single
//! use, expiring, bounded.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a pending authorization, a consent form or an issued code stays valid.
pub(crate) const LIFETIME: Duration = Duration::from_secs(600);
/// The most pending items of each kind; past it new ones are refused until some expire.
const CAPACITY: usize = 10_000;

/// Items that expire, with a cap. Every item is taken at most once.
pub(crate) struct Store<T> {
    items: Mutex<HashMap<String, (Instant, T)>>,
}

/// The store is full of live items.
#[derive(Debug)]
pub(crate) struct Full;

/// Why [`Store::take_if`] gave nothing.
pub(crate) enum Taken {
    /// No such item, or it expired.
    Missing,
    /// The item is there but not for this request; it stays.
    Refused,
}

impl<T> Store<T> {
    pub(crate) fn new() -> Self {
        Store {
            items: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, T)>> {
        self.items.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps `value` under `key` for [`LIFETIME`].
    pub(crate) fn insert(&self, key: String, value: T) -> Result<(), Full> {
        let mut items = self.lock();
        if items.len() >= CAPACITY {
            items.retain(|_, (at, _)| at.elapsed() < LIFETIME);
            if items.len() >= CAPACITY {
                return Err(Full);
            }
        }
        items.insert(key, (Instant::now(), value));
        Ok(())
    }

    /// Removes and returns the item if `valid` accepts it; otherwise leaves it in place.
    pub(crate) fn take_if(&self, key: &str, valid: impl FnOnce(&T) -> bool) -> Result<T, Taken> {
        let mut items = self.lock();
        match items.get(key) {
            None => return Err(Taken::Missing),
            Some((_, value)) if !valid(value) => return Err(Taken::Refused),
            Some(_) => {}
        }
        let (at, value) = items.remove(key).ok_or(Taken::Missing)?;
        if at.elapsed() < LIFETIME {
            Ok(value)
        } else {
            Err(Taken::Missing)
        }
    }

    /// Removes and returns the item, if it has not expired.
    pub(crate) fn take(&self, key: &str) -> Option<T> {
        self.take_if(key, |_| true).ok()
    }
}
