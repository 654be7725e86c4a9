//! Where the state that replicas of one server must share is kept: the OAuth proxy's pending
//! sign-ins, consent requests and codes, the MCP sessions of the 2025 era, the used
//! `requestState`s of 2026-07-28 and the rate limits.
//!
//! One [`Store`] holds all of it: this process's memory by default ([`Store::memory`]), or a
//! Redis shared by every replica ([`Store::redis`], feature `redis`). Taking a single-use
//! item is one atomic operation in either, so a code or a `state` is redeemed once across
//! all replicas. Every call to Redis has a deadline; a store that cannot answer is
//! [`Unavailable`], and the callers fail closed with it.

pub(crate) mod memory;
pub(crate) mod outcome;
#[cfg(feature = "redis")]
pub(crate) mod redis;

use std::marker::PhantomData;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
pub(crate) use outcome::{LIFETIME, PutError, TakeError, Unavailable};

/// Where a server keeps the state its replicas share.
///
/// ```no_run
/// # use mcp_runtime::prelude::*;
/// # #[mcp_server(name = "s", version = "1.0.0", oauth = none, tools = [])] struct S;
/// # async fn run() -> mcp_runtime::Result<()> {
/// use mcp_runtime::Store;
///
/// // `REDIS_URL` when it is set (and the `redis` feature is on), otherwise this process's
/// // memory; `serve_from_env` does the same by itself.
/// let store = Store::from_env().await?;
/// S.into_server().store(store).serve("127.0.0.1:3000").await
/// # }
/// ```
#[derive(Clone)]
pub struct Store {
    backend: Arc<Backend>,
}

enum Backend {
    Memory(memory::Memory),
    #[cfg(feature = "redis")]
    Redis(Arc<redis::Redis>),
}

impl Default for Store {
    fn default() -> Self {
        Store::memory()
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Store {
    /// This process's memory: right for one process, and the default. Replicas behind a load
    /// balancer need [`Store::redis`].
    pub fn memory() -> Self {
        Store {
            backend: Arc::new(Backend::Memory(memory::Memory::new())),
        }
    }

    /// A Redis at `url` (`redis://[:password@]host[:port][/db]`, or `rediss://` for TLS),
    /// with every key under `prefix` (such as `"mcp:"`), so that several servers can share
    /// one Redis. Connects and checks that Redis answers before returning: an unreachable or
    /// slow Redis is an error here, not at the first request.
    ///
    /// Every replica of a server must use the same Redis and prefix.
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub async fn redis(url: &str, prefix: &str) -> Result<Self> {
        let redis = redis::Redis::connect(url, prefix)
            .await
            .map_err(Error::Config)?;
        Ok(Store {
            backend: Arc::new(Backend::Redis(Arc::new(redis))),
        })
    }

    /// The Redis named by `REDIS_URL`, with the key prefix `MCP_REDIS_PREFIX` (`mcp:` by
    /// default), when `REDIS_URL` is set; otherwise this process's memory. `REDIS_URL` set
    /// in a build without the `redis` feature is an error, never a silent fall-back to memory.
    pub async fn from_env() -> Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let Some(url) = var("REDIS_URL") else {
            return Ok(Store::memory());
        };
        let prefix = var("MCP_REDIS_PREFIX").unwrap_or_else(|| "mcp:".into());
        Self::from_url(url.trim(), &prefix).await
    }

    #[cfg(feature = "redis")]
    async fn from_url(url: &str, prefix: &str) -> Result<Self> {
        Store::redis(url, prefix).await.map_err(|err| {
            Error::Config(format!(
                "REDIS_URL: {err}. Set REDIS_URL to a Redis every replica reaches (redis://host:6379, or rediss:// for TLS), or unset it to keep the state in this process"
            ))
        })
    }

    #[cfg(not(feature = "redis"))]
    async fn from_url(_url: &str, _prefix: &str) -> Result<Self> {
        Err(Error::Config(
            "REDIS_URL is set, but mcp-runtime was built without its `redis` feature: enable it (mcp-runtime = { features = [\"redis\"] }) or unset REDIS_URL to keep the state in this process".into(),
        ))
    }

    /// Whether the state is shared with other processes (Redis), rather than this process's.
    pub fn is_shared(&self) -> bool {
        !matches!(*self.backend, Backend::Memory(_))
    }

    /// What the start-up banner says of the store (never a password).
    pub(crate) fn describe(&self) -> String {
        match &*self.backend {
            Backend::Memory(_) => {
                "this process's memory (one replica; set REDIS_URL to share it)".into()
            }
            #[cfg(feature = "redis")]
            Backend::Redis(redis) => redis.describe(),
        }
    }

    /// The single-use items of `space` (`"code"`, `"state"`...), of type `T`.
    #[cfg_attr(not(feature = "redis"), allow(unused_variables))]
    pub(crate) fn single_use<T>(&self, space: &'static str) -> SingleUse<T> {
        let place = match &*self.backend {
            Backend::Memory(_) => Place::Memory(memory::Pool::new()),
            #[cfg(feature = "redis")]
            Backend::Redis(redis) => Place::Redis(Arc::clone(redis), space),
        };
        SingleUse {
            place,
            _type: PhantomData,
        }
    }

    /// Keeps `value` under `key` of `space` for `ttl`, unless the key is held already; false
    /// then.
    pub(crate) async fn put_new(
        &self,
        space: &str,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, Unavailable> {
        match &*self.backend {
            Backend::Memory(memory) => memory.put_new(space, key, value, ttl),
            #[cfg(feature = "redis")]
            Backend::Redis(redis) => redis.put_new(space, key, value, ttl).await,
        }
    }

    /// The value under `key` of `space`.
    pub(crate) async fn get(&self, space: &str, key: &str) -> Result<Option<Vec<u8>>, Unavailable> {
        match &*self.backend {
            Backend::Memory(memory) => Ok(memory.get(space, key)),
            #[cfg(feature = "redis")]
            Backend::Redis(redis) => redis.get(space, key).await,
        }
    }

    /// Starts the time to live of `key` of `space` again; false when it is not held.
    pub(crate) async fn touch(
        &self,
        space: &str,
        key: &str,
        ttl: Duration,
    ) -> Result<bool, Unavailable> {
        match &*self.backend {
            Backend::Memory(memory) => Ok(memory.get_touch(space, key, ttl).is_some()),
            #[cfg(feature = "redis")]
            Backend::Redis(redis) => redis.touch(space, key, ttl).await,
        }
    }

    /// Whether `key` of `space` is held (its time to live unchanged).
    pub(crate) async fn exists(&self, space: &str, key: &str) -> Result<bool, Unavailable> {
        match &*self.backend {
            Backend::Memory(memory) => Ok(memory.exists(space, key)),
            #[cfg(feature = "redis")]
            Backend::Redis(redis) => redis.exists(space, key).await,
        }
    }

    /// Forgets `key` of `space`; false when it was not held.
    pub(crate) async fn remove(&self, space: &str, key: &str) -> Result<bool, Unavailable> {
        match &*self.backend {
            Backend::Memory(memory) => Ok(memory.remove(space, key)),
            #[cfg(feature = "redis")]
            Backend::Redis(redis) => redis.remove(space, key).await,
        }
    }

    /// Counts one hit on each of `counters`, in order, in the current fixed window of
    /// `window`, each against its limit, stopping at the first over it (so that a refused
    /// request uses up no later counter's budget); whether all were within their limits.
    pub(crate) async fn hit(
        &self,
        counters: &[(String, u64)],
        window: Duration,
    ) -> Result<bool, Unavailable> {
        match &*self.backend {
            Backend::Memory(memory) => memory.hit(counters, window),
            #[cfg(feature = "redis")]
            Backend::Redis(redis) => redis.hit(counters, window).await,
        }
    }
}

/// Items of one kind that are taken at most once, across every replica sharing the store:
/// pending sign-ins, consent requests, authorization codes. Each lives [`LIFETIME`].
pub(crate) struct SingleUse<T> {
    place: Place,
    _type: PhantomData<fn() -> T>,
}

enum Place {
    /// In this process's memory, bounded in number, bytes and per address.
    Memory(memory::Pool),
    /// In Redis, under the space's name.
    #[cfg(feature = "redis")]
    Redis(Arc<redis::Redis>, &'static str),
}

impl<T: Serialize + DeserializeOwned> SingleUse<T> {
    /// Keeps `value` under the fresh random `key` for [`LIFETIME`], on behalf of a request
    /// from `address`. Only a taker that shows the same `guard` gets it (empty: anyone).
    pub(crate) async fn insert(
        &self,
        key: &str,
        guard: &[u8],
        value: &T,
        address: IpAddr,
    ) -> Result<(), PutError> {
        let bytes = serde_json::to_vec(value).map_err(|_| PutError::Full)?;
        match &self.place {
            Place::Memory(pool) => pool.insert(key, guard, bytes, address),
            #[cfg(feature = "redis")]
            Place::Redis(redis, space) => {
                redis
                    .put_single(space, key, guard, &bytes, address, LIFETIME)
                    .await
            }
        }
    }

    /// Removes and returns the item under `key` if `guard` is the one it was kept with; an
    /// item kept with another guard stays, for the right taker.
    pub(crate) async fn take(&self, key: &str, guard: &[u8]) -> Result<T, TakeError> {
        let bytes = match &self.place {
            Place::Memory(pool) => pool.take(key, guard)?,
            #[cfg(feature = "redis")]
            Place::Redis(redis, space) => redis.take_single(space, key, guard).await?,
        };
        serde_json::from_slice(&bytes).map_err(|_| TakeError::Missing)
    }
}
