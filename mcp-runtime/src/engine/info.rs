//! A server's name, version and authorization choices, as `#[mcp_server]` wrote them.

use crate::auth::permission::Denial;
use crate::content::Icon;

/// What `#[mcp_server(...)]` says of a server besides its tools and OAuth mode.
#[derive(Debug, Clone)]
pub struct ServerInfo {
    /// The server's name.
    pub name: &'static str,
    /// The server's version.
    pub version: &'static str,
    /// A human-readable title.
    pub title: Option<&'static str>,
    /// How to use the server, for the model.
    pub instructions: Option<&'static str>,
    /// The server's icons.
    pub icons: &'static [Icon],
    /// The permission vocabulary (`permissions = ...`), in declaration order.
    pub permissions: &'static [&'static str],
    /// What each permission means (its doc comment in `permissions!`), in the same order;
    /// empty where it has none.
    pub permission_descriptions: &'static [&'static str],
    /// What a caller without a tool's permission gets, unless the tool says otherwise.
    pub on_denied: Denial,
}

impl ServerInfo {
    /// The name resources and pages show: the title, or else the name.
    pub(crate) fn display_name(&self) -> &'static str {
        self.title.unwrap_or(self.name)
    }

    /// What `permission` means, if the vocabulary says.
    pub(crate) fn describe(&self, permission: &str) -> Option<&'static str> {
        self.permissions
            .iter()
            .position(|p| *p == permission)
            .and_then(|i| self.permission_descriptions.get(i).copied())
            .filter(|d| !d.is_empty())
    }

    /// The server as an MCP `Implementation`: name, version and title.
    pub(crate) fn identity(&self) -> serde_json::Value {
        let mut identity = serde_json::json!({"name": self.name, "version": self.version});
        if let Some(title) = self.title {
            identity["title"] = title.into();
        }
        identity
    }
}
