//! The store in Redis (feature `redis`): every replica of a server reads and writes the same
//! keys, under one prefix.
//!
//! Keys are SHA-256 hashes of the tokens they stand for (codes, `state`s, session ids), so
//! that whoever can read the Redis cannot redeem what it holds. Single-use items are taken by
//! one Lua script (read, check the guard, delete), which Redis runs atomically: two replicas
//! racing for one code cannot both have it. Every call has a deadline ([`CALL_TIMEOUT`]); a
//! connection that fails a call is replaced by a new one, made at its next use, so that
//! whatever went wrong (a restart, a half-open connection, a refused login) the store works
//! again once Redis does. A single Redis, or a primary with replicas, is supported; Redis
//! Cluster is not (the scripts touch keys they compute).

use std::net::IpAddr;
use std::sync::RwLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_lc_rs::digest;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Script, Value};

use super::memory::PER_ADDRESS;
use super::outcome::{PutError, TakeError, Unavailable};
use crate::web::random::hex;
use crate::web::throttle::WarnLimit;

/// The longest a store call may take, reconnection included, before it fails closed.
pub(crate) const CALL_TIMEOUT: Duration = Duration::from_secs(2);
/// The longest start-up waits for Redis to answer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections kept to Redis; each multiplexes (pipelines) many calls at once.
const POOL: usize = 4;

/// Redis's clock in milliseconds, the one clock every replica shares.
const NOW_MS: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
";

/// Keeps `ARGV[2]` under `KEYS[1]` for `ARGV[3]` milliseconds with the guard `ARGV[1]`,
/// counting it in the address's set `KEYS[2]` (members by expiry; at most `ARGV[4]` live).
/// 1 kept, 0 key held already, -1 the address's share is used up.
const PUT: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return -1 end
local ttl = tonumber(ARGV[3])
redis.call('ZADD', KEYS[2], now + ttl, KEYS[1])
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('HSET', KEYS[1], 'g', ARGV[1], 'v', ARGV[2], 'a', KEYS[2])
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
";

/// Takes `KEYS[1]` if its guard is `ARGV[1]`: its value, nil when missing, 0 when the guard
/// differs (the item stays). Its place in its address's set is given back.
const TAKE: &str = r"
local item = redis.call('HMGET', KEYS[1], 'g', 'v', 'a')
if not item[1] then return nil end
if item[1] ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
if item[3] then redis.call('ZREM', item[3], KEYS[1]) end
return item[2]
";

/// One hit in the current window of `ARGV[1]` seconds (by Redis's clock) on each of the
/// counters named by `KEYS`, in order, each against its limit in `ARGV[2..]`; stops at the
/// first over its limit, so that a refused request uses up no later budget. 1 allowed, 0 not.
const HIT: &str = r"
local window = tonumber(ARGV[1])
local slot = math.floor(now / 1000 / window)
for i, key in ipairs(KEYS) do
  local counter = key .. ':' .. slot
  local count = redis.call('INCR', counter)
  if count == 1 then redis.call('EXPIRE', counter, window * 2) end
  if count > tonumber(ARGV[i + 1]) then return 0 end
end
return 1
";

/// A Redis shared by the replicas of one server.
pub(crate) struct Redis {
    client: redis::Client,
    config: ConnectionManagerConfig,
    /// Connections; one that fails a call is replaced ([`Redis::replace`]).
    connections: Vec<RwLock<ConnectionManager>>,
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
            // `redis+unix:///path?pass=...` carries the password in the query.
            parsed.set_query(None);
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
            let mut info = String::new();
            for _ in 0..POOL {
                let mut connection =
                    ConnectionManager::new_with_config(client.clone(), config.clone()).await?;
                if info.is_empty() {
                    info = redis::cmd("INFO")
                        .arg("server")
                        .query_async(&mut connection)
                        .await?;
                } else {
                    redis::cmd("PING")
                        .query_async::<()>(&mut connection)
                        .await?;
                }
                connections.push(RwLock::new(connection));
            }
            Ok::<_, redis::RedisError>((connections, info))
        };
        let connections = match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
            Ok(Ok((connections, info))) => {
                check_version(&info).map_err(|why| format!("Redis at {shown} {why}"))?;
                connections
            }
            Ok(Err(err)) => {
                return Err(format!(
                    "Redis at {shown} cannot be used: {} (check that it runs there, and the URL's port, password and scheme: rediss:// for TLS)",
                    describe(&err)
                ));
            }
            Err(_) => {
                return Err(format!(
                    "Redis at {shown} did not answer within {} seconds (check that the host and port are a Redis, and rediss:// if it speaks TLS)",
                    CONNECT_TIMEOUT.as_secs()
                ));
            }
        };
        Ok(Redis {
            client,
            config,
            connections,
            next: AtomicUsize::new(0),
            prefix: prefix.to_owned(),
            shown,
            put: Script::new(&format!("{NOW_MS}{PUT}")),
            take: Script::new(TAKE),
            hit: Script::new(&format!("{NOW_MS}{HIT}")),
            warn: WarnLimit::default(),
        })
    }

    pub(crate) fn describe(&self) -> String {
        format!(
            "Redis at {} (keys under `{}`), shared by every replica",
            self.shown, self.prefix
        )
    }

    /// One of the connections, in turn, with its place.
    fn connection(&self) -> (usize, ConnectionManager) {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.connections.len();
        let connection = self.connections[i]
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        (i, connection)
    }

    /// Replaces the connection at `i`, which failed a call, by one made at its next use.
    fn replace(&self, i: usize) {
        if let Ok(fresh) =
            ConnectionManager::new_lazy_with_config(self.client.clone(), self.config.clone())
        {
            *self.connections[i]
                .write()
                .unwrap_or_else(|e| e.into_inner()) = fresh;
        }
    }

    /// The Redis key of `key` in `space`: hashed, under the prefix.
    fn key(&self, space: &str, key: &str) -> String {
        let hash = digest::digest(&digest::SHA256, key.as_bytes());
        format!("{}{space}:{}", self.prefix, hex(hash.as_ref()))
    }

    /// Runs `call` on a connection with the deadline; an error or a late answer is
    /// [`Unavailable`], logged (at most once every few seconds, and never with a key or a
    /// value), and the connection is replaced.
    async fn run<T, F>(
        &self,
        what: &str,
        call: impl FnOnce(ConnectionManager) -> F,
    ) -> Result<T, Unavailable>
    where
        F: Future<Output = redis::RedisResult<T>>,
    {
        let (i, connection) = self.connection();
        let why = match tokio::time::timeout(CALL_TIMEOUT, call(connection)).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(err)) => describe(&err),
            Err(_) => format!("no answer within {} seconds", CALL_TIMEOUT.as_secs()),
        };
        self.replace(i);
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
        let share = format!("{}{space}@{address}", self.prefix);
        let ttl = ttl.as_millis().max(1) as u64;
        let kept: i64 = self
            .run("write", |mut connection| async move {
                self.put
                    .key(item)
                    .key(share)
                    .arg(guard)
                    .arg(value)
                    .arg(ttl)
                    .arg(PER_ADDRESS)
                    .invoke_async(&mut connection)
                    .await
            })
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
        let item = self.key(space, key);
        let taken: Value = self
            .run("take", |mut connection| async move {
                self.take
                    .key(item)
                    .arg(guard)
                    .invoke_async(&mut connection)
                    .await
            })
            .await?;
        match taken {
            Value::BulkString(bytes) => Ok(bytes),
            Value::Int(_) => Err(TakeError::Refused),
            _ => Err(TakeError::Missing),
        }
    }

    /// Runs the command `name` on the key of `key` in `space` with `args` after it.
    async fn command<T: redis::FromRedisValue>(
        &self,
        what: &str,
        name: &str,
        space: &str,
        key: &str,
        args: &[&[u8]],
    ) -> Result<T, Unavailable> {
        let mut command = redis::cmd(name);
        command.arg(self.key(space, key));
        for arg in args {
            command.arg(*arg);
        }
        self.run(what, |mut connection| async move {
            command.query_async(&mut connection).await
        })
        .await
    }

    pub(crate) async fn put_new(
        &self,
        space: &str,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, Unavailable> {
        let ttl = millis(ttl);
        let set: Option<String> = self
            .command(
                "write",
                "SET",
                space,
                key,
                &[value, b"NX", b"PX", ttl.as_bytes()],
            )
            .await?;
        Ok(set.is_some())
    }

    pub(crate) async fn get(&self, space: &str, key: &str) -> Result<Option<Vec<u8>>, Unavailable> {
        self.command("read", "GET", space, key, &[]).await
    }

    pub(crate) async fn touch(
        &self,
        space: &str,
        key: &str,
        ttl: Duration,
    ) -> Result<bool, Unavailable> {
        let ttl = millis(ttl);
        self.command("read", "PEXPIRE", space, key, &[ttl.as_bytes()])
            .await
    }

    pub(crate) async fn exists(&self, space: &str, key: &str) -> Result<bool, Unavailable> {
        let held: u64 = self.command("read", "EXISTS", space, key, &[]).await?;
        Ok(held > 0)
    }

    pub(crate) async fn remove(&self, space: &str, key: &str) -> Result<bool, Unavailable> {
        let removed: u64 = self.command("write", "DEL", space, key, &[]).await?;
        Ok(removed > 0)
    }

    /// One hit on each of `counters` (in order, each against its limit) in the current window
    /// of `window`; whether all were within their limits.
    pub(crate) async fn hit(
        &self,
        counters: &[(String, u64)],
        window: Duration,
    ) -> Result<bool, Unavailable> {
        let mut invocation = self.hit.prepare_invoke();
        invocation.arg(window.as_secs().max(1));
        for (counter, limit) in counters {
            invocation.key(format!("{}hit:{counter}", self.prefix));
            invocation.arg(*limit);
        }
        let allowed: i64 = self
            .run("count", |mut connection| async move {
                invocation.invoke_async(&mut connection).await
            })
            .await?;
        Ok(allowed == 1)
    }
}

/// A duration in milliseconds, as Redis takes it.
fn millis(duration: Duration) -> String {
    duration.as_millis().max(1).to_string()
}

/// Checks `INFO server` for Redis 5 or later (scripts replicated by their effects, which
/// `TIME` in a script needs).
fn check_version(info: &str) -> Result<(), String> {
    let version = info
        .lines()
        .find_map(|line| line.strip_prefix("redis_version:"))
        .map(str::trim)
        .unwrap_or("unknown");
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if (major, minor) >= (5, 0) {
        Ok(())
    } else {
        Err(format!(
            "is version {version}; the store needs Redis 5 or later (or Valkey)"
        ))
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

/// A throwaway `redis-server` (Debian's) on a free loopback port, for the tests of the
/// store and of what keeps its state there. Without `redis-server` the tests fail, saying how
/// to install it, unless `MCP_SKIP_REDIS_TESTS=1` says to skip them.
#[cfg(test)]
pub(crate) mod test_server {
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    /// A running `redis-server`, killed when dropped.
    pub(crate) struct TestRedis {
        child: Option<Child>,
        pub(crate) port: u16,
    }

    impl TestRedis {
        /// Starts one, or `None` when the tests are to be skipped.
        pub(crate) fn start() -> Option<Self> {
            if std::env::var("MCP_SKIP_REDIS_TESTS").is_ok_and(|v| v == "1") {
                eprintln!("MCP_SKIP_REDIS_TESTS=1: the Redis tests are skipped");
                return None;
            }
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port();
            let mut redis = TestRedis { child: None, port };
            redis.spawn();
            Some(redis)
        }

        pub(crate) fn url(&self) -> String {
            format!("redis://127.0.0.1:{}", self.port)
        }

        fn spawn(&mut self) {
            let child = Command::new("redis-server")
                .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|err| {
                    panic!(
                        "cannot start redis-server ({err}): install Debian's redis-server package (CI does), \
                         or set MCP_SKIP_REDIS_TESTS=1 to skip the Redis tests"
                    )
                });
            self.child = Some(child);
            let deadline = Instant::now() + Duration::from_secs(10);
            while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
                assert!(Instant::now() < deadline, "redis-server did not start");
                std::thread::sleep(Duration::from_millis(20));
            }
        }

        /// Stops the server (its data is gone: it keeps none).
        pub(crate) fn stop(&mut self) {
            if let Some(mut child) = self.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }

        /// Starts it again, empty, on the same port.
        pub(crate) fn restart(&mut self) {
            self.stop();
            self.spawn();
        }
    }

    impl Drop for TestRedis {
        fn drop(&mut self) {
            self.stop();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Instant;

    use super::test_server::TestRedis;
    use super::*;
    use crate::store::outcome::LIFETIME;

    const HERE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    async fn replica(redis: &TestRedis, prefix: &str) -> Redis {
        Redis::connect(&redis.url(), prefix).await.unwrap()
    }

    #[tokio::test]
    async fn a_single_use_item_is_taken_once_whichever_replica_asks() {
        let Some(server) = TestRedis::start() else {
            return;
        };
        let (a, b) = (replica(&server, "t:").await, replica(&server, "t:").await);
        a.put_single("state", "s1", b"browser", b"value", HERE, LIFETIME)
            .await
            .unwrap();
        assert_eq!(
            b.take_single("state", "s1", b"another browser").await,
            Err(TakeError::Refused)
        );
        assert_eq!(
            b.take_single("state", "s1", b"").await,
            Err(TakeError::Refused),
            "an empty guard is not a wildcard"
        );
        assert_eq!(
            b.take_single("state", "s1", b"browser").await,
            Ok(b"value".to_vec())
        );
        assert_eq!(
            a.take_single("state", "s1", b"browser").await,
            Err(TakeError::Missing)
        );
        assert_eq!(
            a.put_single("state", "s1", b"", b"again", HERE, LIFETIME)
                .await,
            Ok(()),
            "a taken key is free"
        );
        assert_eq!(
            a.put_single("state", "s1", b"", b"twice", HERE, LIFETIME)
                .await,
            Err(PutError::Full),
            "a held key is never overwritten"
        );
    }

    #[tokio::test]
    async fn racing_replicas_redeem_one_code_exactly_once() {
        let Some(server) = TestRedis::start() else {
            return;
        };
        let replicas = Arc::new([replica(&server, "t:").await, replica(&server, "t:").await]);
        for round in 0..20 {
            let code = format!("code-{round}");
            replicas[0]
                .put_single("code", &code, b"", b"upstream", HERE, LIFETIME)
                .await
                .unwrap();
            let takes: Vec<_> = (0..16)
                .map(|i| {
                    let replicas = Arc::clone(&replicas);
                    let code = code.clone();
                    tokio::spawn(
                        async move { replicas[i % 2].take_single("code", &code, b"").await },
                    )
                })
                .collect();
            let mut won = 0;
            for take in takes {
                match take.await.unwrap() {
                    Ok(value) => {
                        assert_eq!(value, b"upstream");
                        won += 1;
                    }
                    Err(err) => assert_eq!(err, TakeError::Missing),
                }
            }
            assert_eq!(won, 1, "round {round}: exactly one redemption");
        }
    }

    #[tokio::test]
    async fn keys_are_hashes_under_the_prefix_and_prefixes_do_not_mix() {
        let Some(server) = TestRedis::start() else {
            return;
        };
        let ours = replica(&server, "docs:").await;
        let theirs = replica(&server, "other:").await;
        ours.put_single("code", "secret-code-123", b"", b"v", HERE, LIFETIME)
            .await
            .unwrap();
        ours.put_new("session", "secret-session-456", b"r", LIFETIME)
            .await
            .unwrap();
        let (_, mut connection) = ours.connection();
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg("*")
            .query_async(&mut connection)
            .await
            .unwrap();
        assert!(!keys.is_empty());
        for key in &keys {
            assert!(key.starts_with("docs:"), "{key}");
            assert!(!key.contains("secret"), "a token in a key name: {key}");
        }
        assert_eq!(
            theirs.take_single("code", "secret-code-123", b"").await,
            Err(TakeError::Missing)
        );
        assert!(
            !theirs
                .exists("session", "secret-session-456")
                .await
                .unwrap()
        );
        assert!(ours.exists("session", "secret-session-456").await.unwrap());
    }

    #[tokio::test]
    async fn one_address_holds_its_share_and_a_take_gives_a_place_back() {
        let Some(server) = TestRedis::start() else {
            return;
        };
        let redis = replica(&server, "t:").await;
        let flooder: IpAddr = "203.0.113.7".parse().unwrap();
        for i in 0..PER_ADDRESS {
            redis
                .put_single("consent", &format!("k{i}"), b"", b"v", flooder, LIFETIME)
                .await
                .unwrap();
        }
        assert_eq!(
            redis
                .put_single("consent", "one-more", b"", b"v", flooder, LIFETIME)
                .await,
            Err(PutError::Full)
        );
        redis
            .put_single("consent", "mine", b"", b"v", HERE, LIFETIME)
            .await
            .unwrap();
        redis.take_single("consent", "k0", b"").await.unwrap();
        redis
            .put_single("consent", "one-more", b"", b"v", flooder, LIFETIME)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn redis_expires_items_and_keys_and_counts_windows_for_all() {
        let Some(server) = TestRedis::start() else {
            return;
        };
        let (a, b) = (replica(&server, "t:").await, replica(&server, "t:").await);
        let second = Duration::from_secs(1);
        a.put_single("code", "c", b"", b"v", HERE, second)
            .await
            .unwrap();
        assert!(a.put_new("session", "s", b"record", second).await.unwrap());
        assert!(!b.put_new("session", "s", b"other", second).await.unwrap());
        assert_eq!(
            b.get("session", "s").await.unwrap(),
            Some(b"record".to_vec())
        );
        assert!(
            b.touch("session", "s", Duration::from_secs(60))
                .await
                .unwrap()
        );
        tokio::time::sleep(Duration::from_millis(1_200)).await;
        assert_eq!(
            b.take_single("code", "c", b"").await,
            Err(TakeError::Missing),
            "expired"
        );
        assert!(
            a.touch("session", "s", second).await.unwrap(),
            "the touch on b made it live longer"
        );
        assert!(b.remove("session", "s").await.unwrap());
        assert!(!a.touch("session", "s", second).await.unwrap());
        assert!(!a.exists("session", "s").await.unwrap());
        let minute = Duration::from_secs(60);
        let counters = [
            ("Token:192.0.2.1".to_owned(), 2),
            ("Token:client".to_owned(), 2),
        ];
        assert_eq!(a.hit(&counters, minute).await, Ok(true));
        assert_eq!(
            b.hit(&counters, minute).await,
            Ok(true),
            "every replica counts the same window"
        );
        assert_eq!(a.hit(&counters, minute).await, Ok(false));
        let other = [
            ("Token:192.0.2.2".to_owned(), 1),
            ("Token:client".to_owned(), 10),
        ];
        assert_eq!(a.hit(&other, minute).await, Ok(true));
        assert_eq!(a.hit(&other, minute).await, Ok(false));
        assert_eq!(a.hit(&other, minute).await, Ok(false));
        let client = [("Token:client".to_owned(), 4)];
        assert_eq!(
            a.hit(&client, minute).await,
            Ok(true),
            "the client's fourth hit: requests refused for their address counted none"
        );
        assert_eq!(a.hit(&client, minute).await, Ok(false));
    }

    #[tokio::test]
    async fn a_lost_redis_fails_closed_in_time_and_is_used_again_once_back() {
        let Some(mut server) = TestRedis::start() else {
            return;
        };
        let redis = replica(&server, "t:").await;
        redis
            .put_single("code", "before", b"", b"v", HERE, LIFETIME)
            .await
            .unwrap();
        server.stop();
        let started = Instant::now();
        assert_eq!(
            redis.take_single("code", "before", b"").await,
            Err(TakeError::Unavailable)
        );
        assert_eq!(
            redis.put_new("session", "s", b"r", LIFETIME).await,
            Err(Unavailable)
        );
        assert!(
            started.elapsed() < 2 * CALL_TIMEOUT + Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        server.restart();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match redis.put_new("session", "s", b"r", LIFETIME).await {
                Ok(kept) => {
                    assert!(kept);
                    break;
                }
                Err(Unavailable) => {
                    assert!(Instant::now() < deadline, "the store never came back");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
        assert_eq!(
            redis.take_single("code", "before", b"").await,
            Err(TakeError::Missing),
            "what the lost Redis held is gone, never redeemed"
        );
    }

    #[tokio::test]
    async fn an_unreachable_redis_is_a_start_up_error_without_the_password() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let err = match Redis::connect(&format!("redis://:hunter2@127.0.0.1:{port}"), "t:").await {
            Ok(_) => panic!("nothing listens there"),
            Err(err) => err,
        };
        assert!(err.contains("cannot be used"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        // A Redis that accepts connections and never answers.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = silent.local_addr().unwrap().port();
        let held = tokio::spawn(async move {
            let mut open = Vec::new();
            while let Ok((connection, _)) = silent.accept().await {
                open.push(connection);
            }
        });
        let started = Instant::now();
        let err = match Redis::connect(&format!("redis://127.0.0.1:{port}"), "t:").await {
            Ok(_) => panic!("it never answers"),
            Err(err) => err,
        };
        assert!(
            started.elapsed() <= CONNECT_TIMEOUT + Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
        held.abort();
        let err = match Redis::connect("http://example.com", "t:").await {
            Ok(_) => panic!("not a Redis URL"),
            Err(err) => err,
        };
        assert!(err.contains("not a Redis URL"), "{err}");
    }
}
