//! The proxy's pending items (authorizations at Auth0, consent forms, issued codes): single
//! use, expiring, bounded in number and in bytes.
//!
//! Every item lives [`LIFETIME`], so the order of insertion is the order of expiry: a queue of
//! keys lets each insertion drop the items that expired, in constant time on average, instead
//! of sweeping only when the store is full.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a pending authorization, a consent form or an issued code stays valid.
pub(crate) const LIFETIME: Duration = Duration::from_secs(600);
/// The most pending items of each kind; past it new ones are refused until some expire.
const CAPACITY: usize = 10_000;
/// The most bytes the items of one store may hold (their text; see [`Weigh`]).
const BUDGET: usize = 4 << 20;
/// The most items of one store that requests from one client address may hold, so that one
/// address cannot fill a store and lock everyone else out of signing in.
const PER_ADDRESS: usize = 100;

/// The bytes an item holds, roughly: the length of its text. Each store counts them against
/// its budget, so that large fields cannot grow memory past it.
pub(crate) trait Weigh {
    /// The item's size in bytes.
    fn weight(&self) -> usize;
}

/// Items that expire, with caps. Every item is taken at most once.
pub(crate) struct Store<T> {
    inner: Mutex<Inner<T>>,
    capacity: usize,
    budget: usize,
    per_address: usize,
    lifetime: Duration,
}

struct Inner<T> {
    items: HashMap<String, Item<T>>,
    /// How many items each client address holds.
    by_address: HashMap<IpAddr, usize>,
    /// Keys by insertion, with their insertion time: the front expires first. Keys of items
    /// already taken stay until they reach the front (or a compaction).
    order: VecDeque<(Instant, String)>,
    /// The weight of the items and their keys.
    bytes: usize,
}

struct Item<T> {
    at: Instant,
    address: IpAddr,
    value: T,
}

/// The store is full of live items, in number or in bytes, or of this address's share.
#[derive(Debug)]
pub(crate) struct Full;

/// Why [`Store::take_if`] gave nothing.
pub(crate) enum Taken {
    /// No such item, or it expired.
    Missing,
    /// The item is there but not for this request; it stays.
    Refused,
}

impl<T: Weigh> Store<T> {
    pub(crate) fn new() -> Self {
        Self::with_limits(CAPACITY, BUDGET, LIFETIME)
    }

    fn with_limits(capacity: usize, budget: usize, lifetime: Duration) -> Self {
        Store {
            inner: Mutex::new(Inner {
                items: HashMap::new(),
                by_address: HashMap::new(),
                order: VecDeque::new(),
                bytes: 0,
            }),
            capacity,
            budget,
            per_address: PER_ADDRESS,
            lifetime,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<T>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps `value` under `key` for [`LIFETIME`], on behalf of a request from `address`.
    /// Keys are fresh random tokens, never one already held.
    pub(crate) fn insert(&self, key: String, value: T, address: IpAddr) -> Result<(), Full> {
        let now = Instant::now();
        let weight = key.len() + value.weight();
        let mut inner = self.lock();
        inner.sweep(now, self.lifetime);
        let held = inner.by_address.get(&address).copied().unwrap_or(0);
        if inner.items.len() >= self.capacity
            || inner.bytes + weight > self.budget
            || held >= self.per_address
            || inner.items.contains_key(&key)
        {
            return Err(Full);
        }
        if inner.order.len() >= 2 * self.capacity {
            inner.compact();
        }
        inner.bytes += weight;
        *inner.by_address.entry(address).or_default() += 1;
        inner.order.push_back((now, key.clone()));
        inner.items.insert(
            key,
            Item {
                at: now,
                address,
                value,
            },
        );
        Ok(())
    }

    /// Removes and returns the item if `valid` accepts it; otherwise leaves it in place.
    pub(crate) fn take_if(&self, key: &str, valid: impl FnOnce(&T) -> bool) -> Result<T, Taken> {
        let mut inner = self.lock();
        match inner.items.get(key) {
            None => return Err(Taken::Missing),
            Some(item) if !valid(&item.value) => return Err(Taken::Refused),
            Some(_) => {}
        }
        let item = inner.remove(key).ok_or(Taken::Missing)?;
        if item.at.elapsed() < self.lifetime {
            Ok(item.value)
        } else {
            Err(Taken::Missing)
        }
    }

    /// Removes and returns the item, if it has not expired.
    pub(crate) fn take(&self, key: &str) -> Option<T> {
        self.take_if(key, |_| true).ok()
    }

    /// The number of items held and their bytes.
    #[cfg(test)]
    fn usage(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.items.len(), inner.bytes)
    }
}

impl<T: Weigh> Inner<T> {
    /// Drops the items that expired by `now`.
    fn sweep(&mut self, now: Instant, lifetime: Duration) {
        while let Some((at, _)) = self.order.front() {
            if now.duration_since(*at) < lifetime {
                break;
            }
            let Some((at, key)) = self.order.pop_front() else {
                break;
            };
            // Only the item inserted at that instant: a key inserted again is younger.
            if self.items.get(&key).is_some_and(|item| item.at == at) {
                self.remove(&key);
            }
        }
    }

    /// Removes the item under `key`, giving back its bytes and its address's place.
    fn remove(&mut self, key: &str) -> Option<Item<T>> {
        let item = self.items.remove(key)?;
        self.bytes -= key.len() + item.value.weight();
        if let Some(count) = self.by_address.get_mut(&item.address) {
            *count -= 1;
            if *count == 0 {
                self.by_address.remove(&item.address);
            }
        }
        Some(item)
    }

    /// Forgets the queued keys of items already taken.
    fn compact(&mut self) {
        let items = &self.items;
        self.order
            .retain(|(at, key)| items.get(key).is_some_and(|item| item.at == *at));
    }
}

impl Weigh for String {
    fn weight(&self) -> usize {
        self.len()
    }
}

impl Weigh for Option<String> {
    fn weight(&self) -> usize {
        self.as_ref().map_or(0, String::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HERE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn one_client_address_cannot_fill_a_store_for_everyone() {
        let store = Store::with_limits(1_000, 1 << 20, LIFETIME);
        let flooder: IpAddr = "203.0.113.7".parse().unwrap();
        let kept = (0..500)
            .filter(|i| {
                store
                    .insert(format!("k{i}"), String::new(), flooder)
                    .is_ok()
            })
            .count();
        assert_eq!(kept, PER_ADDRESS);
        assert!(store.insert("mine".into(), String::new(), HERE).is_ok());
        // A taken item gives its address's place back.
        store.take("k0").unwrap();
        assert!(store.insert("again".into(), String::new(), flooder).is_ok());
        assert_eq!(store.lock().by_address[&flooder], PER_ADDRESS);
    }

    #[test]
    fn pending_stores_are_bounded_in_bytes_not_only_in_number() {
        let store = Store::with_limits(1_000, 100_000, LIFETIME);
        let big = "x".repeat(10_000);
        let mut kept = 0;
        for i in 0..50 {
            if store.insert(format!("k{i}"), big.clone(), HERE).is_ok() {
                kept += 1;
            }
        }
        assert_eq!(kept, 9, "ten items of 10 kB would pass a 100 kB budget");
        let (count, bytes) = store.usage();
        assert!(
            count == 9 && bytes <= 100_000,
            "{count} items, {bytes} bytes"
        );
        // A taken item gives its bytes back.
        assert_eq!(store.take("k0").as_deref(), Some(big.as_str()));
        assert!(store.insert("again".into(), big.clone(), HERE).is_ok());
        assert!(store.take("k0").is_none(), "single use");
    }

    #[test]
    fn taken_keys_do_not_pile_up_in_the_expiry_queue() {
        let store = Store::with_limits(10, 1 << 20, LIFETIME);
        for i in 0..1_000 {
            store.insert(format!("k{i}"), String::new(), HERE).unwrap();
            store.take(&format!("k{i}")).unwrap();
        }
        assert!(store.lock().order.len() <= 20);
        assert_eq!(store.usage(), (0, 0));
    }

    #[test]
    fn expired_items_are_swept_before_the_store_is_full() {
        let store = Store::with_limits(1_000, 1 << 20, Duration::from_millis(30));
        for i in 0..100 {
            store
                .insert(format!("old{i}"), "x".repeat(1_000), HERE)
                .unwrap();
        }
        std::thread::sleep(Duration::from_millis(60));
        store.insert("new".into(), String::new(), HERE).unwrap();
        assert_eq!(
            store.usage(),
            (1, 3),
            "the expired items and their bytes are gone"
        );
    }
}
