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

    pub(crate) async fn exists(&self, space: &str, key: &str) -> Result<bool, Unavailable> {
        let mut connection = self.connection();
        let held: u64 = self
            .run(
                "read",
                redis::cmd("EXISTS")
                    .arg(self.key(space, key))
                    .query_async(&mut connection),
            )
            .await?;
        Ok(held > 0)
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
    use crate::store::LIFETIME;

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
        let mut connection = ours.connection();
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
            b.get_touch("session", "s", Duration::from_secs(60))
                .await
                .unwrap(),
            Some(b"record".to_vec())
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
        let keys = ["Token:192.0.2.1".to_owned(), "Token:client".to_owned()];
        assert_eq!(a.hit(&keys, Duration::from_secs(60)).await, Ok(vec![1, 1]));
        assert_eq!(
            b.hit(&keys[..1], Duration::from_secs(60)).await,
            Ok(vec![2]),
            "every replica counts the same window"
        );
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
        let err = match Redis::connect("http://example.com", "t:").await {
            Ok(_) => panic!("not a Redis URL"),
            Err(err) => err,
        };
        assert!(err.contains("not a Redis URL"), "{err}");
    }
}
