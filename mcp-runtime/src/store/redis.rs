//! The store in Redis (feature `redis`): every replica of a server reads and writes the same
//! keys, under one prefix.
//!
//! Keys are SHA-256 hashes of the tokens they stand for (codes, `state`s, session ids), so
//! that whoever can read the Redis cannot redeem what it holds. Single-use items are taken by
//! one Lua script (read, check the guard, delete), which Redis runs atomically: two replicas
//! racing for one code cannot both have it. Every call has a deadline ([`CALL_TIMEOUT`]); the
//! connections reconnect by themselves once Redis is back.

use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_lc_rs::digest;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Script, Value};

use super::memory::PER_ADDRESS;
use super::{PutError, TakeError, Unavailable};
use crate::web::throttle::WarnLimit;

/// The longest a store call may take, reconnection included, before it fails closed.
pub(crate) const CALL_TIMEOUT: Duration = Duration::from_secs(2);
/// The longest start-up waits for Redis to answer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections kept to Redis; each multiplexes (pipelines) many calls at once.
const POOL: usize = 4;

/// Keeps `ARGV[2]` under `KEYS[1]` for `ARGV[3]` seconds with the guard `ARGV[1]`, counting
/// it against the address counter `KEYS[2]` (at most `ARGV[4]` live). 1 kept, 0 key held
/// already, -1 the address's share is used up.
const PUT: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local held = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[3])
if held > tonumber(ARGV[4]) then
  redis.call('DECR', KEYS[2])
  return -1
end
redis.call('HSET', KEYS[1], 'g', ARGV[1], 'v', ARGV[2], 'a', KEYS[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
";

/// Takes `KEYS[1]` if its guard is `ARGV[1]`: its value, nil when missing, 0 when the guard
/// differs (the item stays).
const TAKE: &str = r"
local item = redis.call('HMGET', KEYS[1], 'g', 'v', 'a')
if not item[1] then return nil end
if item[1] ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
if item[3] and redis.call('DECR', item[3]) <= 0 then redis.call('DEL', item[3]) end
return item[2]
";

/// One hit on each of `KEYS` (counters of a fixed window of `ARGV[1]` seconds); their counts.
const HIT: &str = r"
local counts = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, ARGV[1]) end
  counts[i] = count
end
return counts
";

/// A Redis shared by the replicas of one server.
pub(crate) struct Redis {
    connections: Vec<ConnectionManager>,
    next: AtomicUsize,
    prefix: String,
    /// The URL without its password, for the banner and errors.
    shown: String,
    put: Script,
    take: Script,
    hit: Script,
    warn: WarnLimit,
}

/// `url` without user or password.
fn without_credentials(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) => {
            let _ = parsed.set_password(None);
            let _ = parsed.set_username("");
            parsed.to_string().trim_end_matches('/').to_owned()
        }
        Err(_) => "(an invalid URL)".into(),
    }
}

impl Redis {
    /// Connects to the Redis at `url` and checks that it answers `PING`.
    pub(crate) async fn connect(url: &str, prefix: &str) -> Result<Self, String> {
        let shown = without_credentials(url);
        let client = redis::Client::open(url).map_err(|err| {
            format!(
                "`{shown}` is not a Redis URL ({}): use redis://[:password@]host[:port][/db], or rediss:// for TLS",
                describe(&err)
            )
        })?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CALL_TIMEOUT))
            .set_response_timeout(Some(CALL_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let connect = async {
            let mut connections = Vec::with_capacity(POOL);
            for _ in 0..POOL {
                let mut connection =
                    ConnectionManager::new_with_config(client.clone(), config.clone()).await?;
                redis::cmd("PING")
                    .query_async::<()>(&mut connection)
                    .await?;
                connections.push(connection);
            }
            Ok::<_, redis::RedisError>(connections)
        };
        let connections = match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
            Ok(Ok(connections)) => connections,
            Ok(Err(err)) => {
                return Err(format!(
                    "Redis at {shown} cannot be used: {}",
                    describe(&err)
                ));
            }
            Err(_) => {
                return Err(format!(
                    "Redis at {shown} did not answer within {} seconds",
                    CONNECT_TIMEOUT.as_secs()
                ));
            }
        };
        Ok(Redis {
            connections,
            next: AtomicUsize::new(0),
            prefix: prefix.to_owned(),
            shown,
            put: Script::new(PUT),
            take: Script::new(TAKE),
            hit: Script::new(HIT),
            warn: WarnLimit::default(),
        })
    }

    pub(crate) fn describe(&self) -> String {
        format!(
            "Redis at {} (keys under `{}`), shared by every replica",
            self.shown, self.prefix
        )
    }

    /// One of the connections, in turn.
    fn connection(&self) -> ConnectionManager {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.connections.len();
        self.connections[i].clone()
    }

    /// The Redis key of `key` in `space`: hashed, under the prefix.
    fn key(&self, space: &str, key: &str) -> String {
        let hash = digest::digest(&digest::SHA256, key.as_bytes());
        let mut out = String::with_capacity(self.prefix.len() + space.len() + 65);
        out.push_str(&self.prefix);
        out.push_str(space);
        out.push(':');
        for byte in hash.as_ref() {
            out.push_str(&format!("{byte:02x}"));
        }
        out
    }

    /// Runs `call` with the deadline; an error or a late answer is [`Unavailable`], logged
    /// (at most once every few seconds, and never with a key or a value).
    async fn run<T>(
        &self,
        what: &str,
        call: impl Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, Unavailable> {
        let why = match tokio::time::timeout(CALL_TIMEOUT, call).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(err)) => describe(&err),
            Err(_) => format!("no answer within {} seconds", CALL_TIMEOUT.as_secs()),
        };
        if let Some(held) = self.warn.allow() {
            tracing::warn!(
                store = %self.shown,
                "the shared store failed a {what} ({why}); requests that need it fail closed until it is back{}",
                if held > 0 { format!(" ({held} more such failures not logged)") } else { String::new() }
            );
        }
        Err(Unavailable)
    }

    pub(crate) async fn put_single(
        &self,
        space: &str,
        key: &str,
        guard: &[u8],
        value: &[u8],
        address: IpAddr,
        ttl: Duration,
    ) -> Result<(), PutError> {
        let item = self.key(space, key);
        let counter = format!("{}{space}@{address}", self.prefix);
        let mut connection = self.connection();
        let kept: i64 = self
            .run(
                "write",
                self.put
                    .key(item)
                    .key(counter)
                    .arg(guard)
                    .arg(value)
                    .arg(ttl.as_secs().max(1))
                    .arg(PER_ADDRESS)
                    .invoke_async(&mut connection),
            )
            .await?;
        match kept {
            1 => Ok(()),
            _ => Err(PutError::Full),
        }
    }

    pub(crate) async fn take_single(
        &self,
        space: &str,
        key: &str,
        guard: &[u8],
    ) -> Result<Vec<u8>, TakeError> {
        let mut connection = self.connection();
        let taken: Value = self
            .run(
                "take",
                self.take
                    .key(self.key(space, key))
                    .arg(guard)
                    .invoke_async(&mut connection),
            )
            .await?;
        match taken {
            Value::BulkString(bytes) => Ok(bytes),
            Value::Int(_) => Err(TakeError::Refused),
            _ => Err(TakeError::Missing),
        }
    }

    pub(crate) async fn put_new(
        &self,
        space: &str,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, Unavailable> {
        let mut connection = self.connection();
        let set: Option<String> = self
            .run(
                "write",
                redis::cmd("SET")
                    .arg(self.key(space, key))
                    .arg(value)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl.as_millis().max(1) as u64)
                    .query_async(&mut connection),
            )
            .await?;
        Ok(set.is_some())
    }

    pub(crate) async fn get_touch(
        &self,
        space: &str,
        key: &str,
        ttl: Duration,
    ) -> Result<Option<Vec<u8>>, Unavailable> {
        let mut connection = self.connection();
        self.run(
            "read",
            redis::cmd("GETEX")
                .arg(self.key(space, key))
                .arg("PX")
                .arg(ttl.as_millis().max(1) as u64)
                .query_async(&mut connection),
        )
        .await
    }

    pub(crate) async fn touch(
        &self,
        space: &str,
        key: &str,
        ttl: Duration,
    ) -> Result<bool, Unavailable> {
        let mut connection = self.connection();
        self.run(
            "read",
            redis::cmd("PEXPIRE")
                .arg(self.key(space, key))
                .arg(ttl.as_millis().max(1) as u64)
                .query_async(&mut connection),
        )
        .await
    }

    pub(crate) async fn remove(&self, space: &str, key: &str) -> Result<bool, Unavailable> {
        let mut connection = self.connection();
        let removed: u64 = self
            .run(
                "write",
                redis::cmd("DEL")
                    .arg(self.key(space, key))
                    .query_async(&mut connection),
            )
            .await?;
        Ok(removed > 0)
    }

    pub(crate) async fn hit(
        &self,
        keys: &[String],
        window: Duration,
    ) -> Result<Vec<u64>, Unavailable> {
        let seconds = window.as_secs().max(1);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let slot = now / seconds;
        let mut invocation = self.hit.prepare_invoke();
        for key in keys {
            invocation.key(format!("{}hit:{key}:{slot}", self.prefix));
        }
        invocation.arg(seconds);
        let mut connection = self.connection();
        self.run("count", invocation.invoke_async(&mut connection))
            .await
    }
}

/// What went wrong, in a few words and without the URL's password (Redis errors carry none).
fn describe(err: &redis::RedisError) -> String {
    if err.is_connection_refusal() {
        "connection refused".into()
    } else if err.is_timeout() {
        "timed out".into()
    } else if err.is_io_error() || err.is_connection_dropped() {
        format!("connection lost ({err})")
    } else {
        err.to_string()
    }
}
