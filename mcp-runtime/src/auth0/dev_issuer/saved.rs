//! What the development issuer keeps across restarts, so that a restarted `auth0_proxy`
//! still knows the clients that registered with it (their ids are signed with a key derived
//! from the application's secret) and its tokens' issuer and keys stay the same: the
//! application's id and secret, the signing key and the port, in one file readable only by
//! its owner. By default `mcp-dev-issuer.json` in the Cargo target directory of the running
//! binary (or beside it); `MCP_DEV_ISSUER_STATE` names another file. Development only.

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

/// The variable that names the file.
pub(crate) const STATE_VAR: &str = "MCP_DEV_ISSUER_STATE";

/// The issuer's lasting parts.
pub(crate) struct Saved {
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) key_pkcs8: Vec<u8>,
    pub(crate) port: u16,
}

/// Where the file is.
pub(crate) fn path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(STATE_VAR).filter(|v| !v.is_empty()) {
        return Some(path.into());
    }
    let exe = std::env::current_exe().ok()?;
    let dir = exe
        .ancestors()
        .find(|dir| dir.file_name().is_some_and(|name| name == "target"))
        .or_else(|| exe.parent())?;
    Some(dir.join("mcp-dev-issuer.json"))
}

/// The saved parts, if the file is there and whole.
pub(crate) fn load() -> Option<Saved> {
    let text = std::fs::read_to_string(path()?).ok()?;
    let value: Value = serde_json::from_str(&text).ok()?;
    Some(Saved {
        client_id: value.get("client_id")?.as_str()?.to_owned(),
        client_secret: value.get("client_secret")?.as_str()?.to_owned(),
        key_pkcs8: STANDARD.decode(value.get("key_pkcs8")?.as_str()?).ok()?,
        port: u16::try_from(value.get("port")?.as_u64()?).ok()?,
    })
}

/// Writes `saved` (readable by its owner only); a failure is a warning, never fatal.
pub(crate) fn store(saved: &Saved) {
    let Some(path) = path() else {
        return;
    };
    let text = json!({
        "note": "mcp-runtime development issuer: test credentials for loopback only; delete this file to start afresh",
        "client_id": saved.client_id,
        "client_secret": saved.client_secret,
        "key_pkcs8": STANDARD.encode(&saved.key_pkcs8),
        "port": saved.port,
    })
    .to_string();
    if let Err(err) = write_private(&path, text.as_bytes()) {
        tracing::warn!(
            path = %path.display(),
            "cannot keep the development issuer's state ({err}): registered clients will not survive a restart"
        );
    }
}

fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    // `mode` applies only to a new file: an old one keeps its own, so set it again.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(bytes)
}
