//! The error type of serving.

use std::fmt;

/// A failure to start or run a server.
///
/// Its `Debug` is its message, so that `fn main() -> mcp_runtime::Result<()>` prints a
/// sentence that says what to do, not a struct.
#[non_exhaustive]
pub enum Error {
    /// The listening address could not be bound.
    Bind {
        /// The address that was asked for.
        addr: String,
        /// Why binding failed.
        source: std::io::Error,
    },
    /// An I/O error while serving.
    Io(std::io::Error),
    /// The server's settings are missing or invalid; the message says which and how to fix it.
    Config(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Bind { addr, source } => write!(
                f,
                "cannot listen on {addr}: {source} (is another process using the port? set another address or PORT)"
            ),
            Error::Io(err) => write!(f, "I/O error while serving: {err}"),
            Error::Config(why) => f.write_str(why),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Bind { source, .. } => Some(source),
            Error::Io(err) => Some(err),
            Error::Config(_) => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Error::Io(err)
    }
}

/// `Result<T, mcp_runtime::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
