//! The store in this process's memory: single-use items (expiring, bounded in number, in
//! bytes and per client address) and keys with a time to live.
//!
//! Every single-use item of a pool lives [`LIFETIME`], so the order of insertion is the order
//! of expiry: a queue of keys lets each insertion drop the items that expired, in constant
//! time on average, instead of sweeping only when the pool is full.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::outcome::{LIFETIME, PutError, TakeError, Unavailable};

/// The most pending items of each kind; past it new ones are refused until some expire.
const CAPACITY: usize = 10_000;
/// The most bytes the items of one pool may hold (keys, guards and serialized values).
const BUDGET: usize = 4 << 20;
/// The most items of one pool that requests from one client address may hold, so that one
/// address cannot fill a pool and lock everyone else out of signing in.
pub(crate) const PER_ADDRESS: usize = 100;
/// The most keys with a time to live; past it the expired ones are forgotten, and new ones
/// refused while all are live.
const MAX_KEYS: usize = 200_000;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Single-use items that expire, with caps. Every item is taken at most once.
pub(crate) struct Pool {
    inner: Mutex<Inner>,
    capacity: usize,
    budget: usize,
    per_address: usize,
    lifetime: Duration,
}

struct Inner {
    items: HashMap<String, Item>,
    /// How many items each client address holds.
    by_address: HashMap<IpAddr, usize>,
    /// Keys by insertion, with their insertion time: the front expires first. Keys of items
    /// already taken stay until they reach the front (or a compaction).
    order: VecDeque<(Instant, String)>,
    /// The weight of the items and their keys.
    bytes: usize,
}

struct Item {
    at: Instant,
    address: IpAddr,
    guard: Vec<u8>,
    value: Vec<u8>,
}

impl Item {
    fn weight(&self, key: &str) -> usize {
        key.len() + self.guard.len() + self.value.len()
    }
}

impl Pool {
    pub(crate) fn new() -> Self {
        Self::with_limits(CAPACITY, BUDGET, LIFETIME)
    }

    fn with_limits(capacity: usize, budget: usize, lifetime: Duration) -> Self {
        Pool {
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

    fn lock(&self) -> MutexGuard<'_, Inner> {
        lock(&self.inner)
    }

    /// Keeps `value` under `key` for [`LIFETIME`], on behalf of a request from `address`, for
    /// a taker that shows `guard`. Keys are fresh random tokens, never one already held.
    pub(crate) fn insert(
        &self,
        key: &str,
        guard: &[u8],
        value: Vec<u8>,
        address: IpAddr,
    ) -> Result<(), PutError> {
        let now = Instant::now();
        let item = Item {
            at: now,
            address,
            guard: guard.to_vec(),
            value,
        };
        let weight = item.weight(key);
        let mut inner = self.lock();
        inner.sweep(now, self.lifetime);
        let held = inner.by_address.get(&address).copied().unwrap_or(0);
        if inner.items.len() >= self.capacity
            || inner.bytes + weight > self.budget
            || held >= self.per_address
            || inner.items.contains_key(key)
        {
            return Err(PutError::Full);
        }
        if inner.order.len() >= 2 * self.capacity {
            inner.compact();
        }
        inner.bytes += weight;
        *inner.by_address.entry(address).or_default() += 1;
        inner.order.push_back((now, key.to_owned()));
        inner.items.insert(key.to_owned(), item);
        Ok(())
    }

    /// Removes and returns the item if it was kept with `guard`; otherwise leaves it in place.
    pub(crate) fn take(&self, key: &str, guard: &[u8]) -> Result<Vec<u8>, TakeError> {
        let mut inner = self.lock();
        match inner.items.get(key) {
            None => return Err(TakeError::Missing),
            Some(item)
                if aws_lc_rs::constant_time::verify_slices_are_equal(&item.guard, guard)
                    .is_err() =>
            {
                return Err(TakeError::Refused);
            }
            Some(_) => {}
        }
        let item = inner.remove(key).ok_or(TakeError::Missing)?;
        if item.at.elapsed() < self.lifetime {
            Ok(item.value)
        } else {
            Err(TakeError::Missing)
        }
    }

    /// The number of items held and their bytes.
    #[cfg(test)]
    fn usage(&self) -> (usize, usize) {
        let inner = self.lock();
        (inner.items.len(), inner.bytes)
    }
}

impl Inner {
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
    fn remove(&mut self, key: &str) -> Option<Item> {
        let item = self.items.remove(key)?;
        self.bytes -= item.weight(key);
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

/// Keys with a time to live, and counters of fixed windows: the live `requestState`s of a
/// server in one process (and any key a shared store would hold, in tests).
pub(crate) struct Memory {
    keys: Mutex<HashMap<String, (Instant, Vec<u8>)>>,
}

fn full_key(space: &str, key: &str) -> String {
    format!("{space}:{key}")
}

impl Memory {
    pub(crate) fn new() -> Self {
        Memory {
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// Room for one more key: the expired ones go when the map is full; false if all live.
    fn room(keys: &mut HashMap<String, (Instant, Vec<u8>)>, now: Instant) -> bool {
        if keys.len() >= MAX_KEYS {
            keys.retain(|_, (expiry, _)| *expiry > now);
        }
        keys.len() < MAX_KEYS
    }

    pub(crate) fn put_new(
        &self,
        space: &str,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, Unavailable> {
        let now = Instant::now();
        let mut keys = lock(&self.keys);
        let key = full_key(space, key);
        if keys.get(&key).is_some_and(|(expiry, _)| *expiry > now) {
            return Ok(false);
        }
        if !Self::room(&mut keys, now) {
            return Err(Unavailable);
        }
        keys.insert(key, (now + ttl, value.to_vec()));
        Ok(true)
    }

    pub(crate) fn get_touch(&self, space: &str, key: &str, ttl: Duration) -> Option<Vec<u8>> {
        let now = Instant::now();
        let mut keys = lock(&self.keys);
        let key = full_key(space, key);
        match keys.get_mut(&key) {
            Some((expiry, value)) if *expiry > now => {
                *expiry = now + ttl;
                Some(value.clone())
            }
            Some(_) => {
                keys.remove(&key);
                None
            }
            None => None,
        }
    }

    pub(crate) fn exists(&self, space: &str, key: &str) -> bool {
        let now = Instant::now();
        lock(&self.keys)
            .get(&full_key(space, key))
            .is_some_and(|(expiry, _)| *expiry > now)
    }

    pub(crate) fn remove(&self, space: &str, key: &str) -> bool {
        let now = Instant::now();
        lock(&self.keys)
            .remove(&full_key(space, key))
            .is_some_and(|(expiry, _)| expiry > now)
    }

    pub(crate) fn get(&self, space: &str, key: &str) -> Option<Vec<u8>> {
        let now = Instant::now();
        lock(&self.keys)
            .get(&full_key(space, key))
            .filter(|(expiry, _)| *expiry > now)
            .map(|(_, value)| value.clone())
    }

    pub(crate) fn hit(
        &self,
        counters: &[(String, u64)],
        window: Duration,
    ) -> Result<bool, Unavailable> {
        let now = Instant::now();
        let mut map = lock(&self.keys);
        for (key, limit) in counters {
            let key = full_key("hit", key);
            let count = match map.get_mut(&key) {
                Some((expiry, value)) if *expiry > now => {
                    let count = value
                        .get(..8)
                        .and_then(|b| b.try_into().ok())
                        .map_or(0, u64::from_le_bytes)
                        + 1;
                    *value = count.to_le_bytes().to_vec();
                    count
                }
                _ => {
                    if !Self::room(&mut map, now) {
                        return Err(Unavailable);
                    }
                    map.insert(key, (now + window, 1u64.to_le_bytes().to_vec()));
                    1
                }
            };
            if count > *limit {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HERE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn one_client_address_cannot_fill_a_store_for_everyone() {
        let store = Pool::with_limits(1_000, 1 << 20, LIFETIME);
        let flooder: IpAddr = "203.0.113.7".parse().unwrap();
        let kept = (0..500)
            .filter(|i| {
                store
                    .insert(&format!("k{i}"), b"", Vec::new(), flooder)
                    .is_ok()
            })
            .count();
        assert_eq!(kept, PER_ADDRESS);
        assert!(store.insert("mine", b"", Vec::new(), HERE).is_ok());
        // A taken item gives its address's place back.
        store.take("k0", b"").unwrap();
        assert!(store.insert("again", b"", Vec::new(), flooder).is_ok());
        assert_eq!(store.lock().by_address[&flooder], PER_ADDRESS);
    }

    #[test]
    fn pending_stores_are_bounded_in_bytes_not_only_in_number() {
        let store = Pool::with_limits(1_000, 100_000, LIFETIME);
        let big = vec![b'x'; 10_000];
        let mut kept = 0;
        for i in 0..50 {
            if store
                .insert(&format!("k{i}"), b"", big.clone(), HERE)
                .is_ok()
            {
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
        assert_eq!(store.take("k0", b""), Ok(big.clone()));
        assert!(store.insert("again", b"", big.clone(), HERE).is_ok());
        assert_eq!(store.take("k0", b""), Err(TakeError::Missing), "single use");
    }

    #[test]
    fn taken_keys_do_not_pile_up_in_the_expiry_queue() {
        let store = Pool::with_limits(10, 1 << 20, LIFETIME);
        for i in 0..1_000 {
            store
                .insert(&format!("k{i}"), b"", Vec::new(), HERE)
                .unwrap();
            store.take(&format!("k{i}"), b"").unwrap();
        }
        assert!(store.lock().order.len() <= 20);
        assert_eq!(store.usage(), (0, 0));
    }

    #[test]
    fn an_item_goes_only_to_the_taker_with_its_guard_and_stays_for_it() {
        let store = Pool::new();
        store
            .insert("s", b"browser-1", b"v".to_vec(), HERE)
            .unwrap();
        assert_eq!(store.take("s", b"browser-2"), Err(TakeError::Refused));
        assert_eq!(store.take("s", b""), Err(TakeError::Refused));
        assert_eq!(store.take("s", b"browser-1"), Ok(b"v".to_vec()));
        assert_eq!(store.take("s", b"browser-1"), Err(TakeError::Missing));
    }

    #[test]
    fn keys_live_their_time_and_are_held_once() {
        let memory = Memory::new();
        let short = Duration::from_millis(40);
        assert_eq!(memory.put_new("s", "k", b"1", short), Ok(true));
        assert_eq!(memory.put_new("s", "k", b"2", short), Ok(false));
        assert_eq!(memory.put_new("other", "k", b"3", short), Ok(true));
        assert_eq!(memory.get_touch("s", "k", short), Some(b"1".to_vec()));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(memory.get_touch("s", "k", short), None, "expired");
        assert_eq!(memory.put_new("s", "k", b"4", short), Ok(true));
        assert!(memory.remove("s", "k"));
        assert!(!memory.remove("s", "k"));
        let counters = [("a".to_owned(), 1), ("b".to_owned(), 5)];
        assert_eq!(memory.hit(&counters, short), Ok(true));
        assert_eq!(memory.hit(&counters, short), Ok(false), "a is over");
        assert_eq!(
            memory.hit(&counters[1..], short),
            Ok(true),
            "b was not counted for the refused request"
        );
        assert_eq!(memory.get("hit", "b").map(|v| v[0]), Some(2));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(memory.hit(&counters, short), Ok(true), "a new window");
    }

    #[test]
    fn expired_items_are_swept_before_the_store_is_full() {
        let store = Pool::with_limits(1_000, 1 << 20, Duration::from_millis(30));
        for i in 0..100 {
            store
                .insert(&format!("old{i}"), b"", vec![b'x'; 1_000], HERE)
                .unwrap();
        }
        std::thread::sleep(Duration::from_millis(60));
        store.insert("new", b"", Vec::new(), HERE).unwrap();
        assert_eq!(
            store.usage(),
            (1, 3),
            "the expired items and their bytes are gone"
        );
    }
}
