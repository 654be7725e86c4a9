//! The errors: [`Error`] for starting and running a server, [`ToolError`] for a tool's failure.

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
            Error::Bind { addr, source } => match source.kind() {
                std::io::ErrorKind::AddrInUse => write!(
                    f,
                    "cannot listen on {addr}: {source} (is another process using the port? set another address or PORT)"
                ),
                std::io::ErrorKind::AddrNotAvailable | std::io::ErrorKind::PermissionDenied => {
                    write!(
                        f,
                        "cannot listen on {addr}: {source} (set an address of this machine, and a port above 1023 unless the server may take a privileged one)"
                    )
                }
                _ => write!(
                    f,
                    "cannot listen on {addr}: {source} (an address is host:port, such as 127.0.0.1:3000, with a port from 0 to 65535)"
                ),
            },
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

/// An error a tool returns: the model sees its message in a result with `isError: true`.
///
/// Any `std::error::Error` converts into it with `?`; build one from a message with
/// [`ToolError::new`].
pub struct ToolError {
    message: String,
}

impl ToolError {
    /// An error with a message for the model: say what went wrong and what to do instead.
    pub fn new(message: impl Into<String>) -> Self {
        ToolError {
            message: message.into(),
        }
    }
}

impl<E: std::error::Error> From<E> for ToolError {
    fn from(err: E) -> Self {
        ToolError {
            message: err.to_string(),
        }
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ToolError").field(&self.message).finish()
    }
}
