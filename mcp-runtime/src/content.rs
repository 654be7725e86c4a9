//! What tools, resources and prompts give the client: [`CallToolResult`], [`Content`] blocks,
//! [`ResourceContents`], and the [`Message`]s of prompts and sampling.

use base64::Engine as _;
use serde::Serialize;
use serde_json::Value;

/// The result of a `tools/call`, as sent to the client.
///
/// Tools usually return a [`String`], a [`Content`], a [`Json`](crate::Json) or a `Result` of
/// these and let the framework build this; return it directly for full control.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CallToolResult {
    /// The content blocks shown to the model.
    pub content: Vec<Content>,
    /// Structured output, conforming to the tool's output schema when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub structured_content: Option<Value>,
    /// Whether the tool failed; the model sees the content and can act on it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub is_error: bool,
}

impl CallToolResult {
    /// A successful result with the given content blocks.
    pub fn success(content: Vec<Content>) -> Self {
        CallToolResult {
            content,
            structured_content: None,
            is_error: false,
        }
    }

    /// The size of the content blocks, roughly as sent. (Structured content also goes out as
    /// a text block, which is counted.)
    pub(crate) fn content_bytes(&self) -> usize {
        self.content
            .iter()
            .map(|block| match block {
                Content::Text { text } => text.len(),
                Content::Image { data, .. } | Content::Audio { data, .. } => data.len(),
                Content::Resource {
                    resource: ResourceContents::Text { text, .. },
                } => text.len(),
                Content::Resource {
                    resource: ResourceContents::Blob { blob, .. },
                } => blob.len(),
                Content::ResourceLink { uri, name, .. } => uri.len() + name.len(),
            })
            .sum()
    }

    /// A failed result whose text tells the model what went wrong.
    pub fn error(message: impl Into<String>) -> Self {
        CallToolResult {
            content: vec![Content::text(message)],
            structured_content: None,
            is_error: true,
        }
    }
}

/// One block of tool output: text, an image, audio, an embedded resource or a link to one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Content {
    /// Plain text.
    Text {
        /// The text.
        text: String,
    },
    /// An image, base64-encoded.
    Image {
        /// The base64-encoded image bytes.
        data: String,
        /// Its MIME type, such as `image/png`.
        #[serde(rename = "mimeType")]
        mime_type: String,
    },
    /// Audio, base64-encoded.
    Audio {
        /// The base64-encoded audio bytes.
        data: String,
        /// Its MIME type, such as `audio/wav`.
        #[serde(rename = "mimeType")]
        mime_type: String,
    },
    /// A resource embedded in the result.
    Resource {
        /// The resource's contents.
        resource: ResourceContents,
    },
    /// A link to a resource the client can read.
    ResourceLink {
        /// The resource's URI.
        uri: String,
        /// Its name.
        name: String,
        /// What it is.
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        /// Its MIME type.
        #[serde(rename = "mimeType", skip_serializing_if = "Option::is_none")]
        mime_type: Option<String>,
    },
}

impl Content {
    /// A text block.
    pub fn text(text: impl Into<String>) -> Self {
        Content::Text { text: text.into() }
    }

    /// An image block from raw bytes, which are base64-encoded here.
    pub fn image(bytes: impl AsRef<[u8]>, mime_type: impl Into<String>) -> Self {
        Content::Image {
            data: base64_encode(bytes.as_ref()),
            mime_type: mime_type.into(),
        }
    }

    /// An audio block from raw bytes, which are base64-encoded here.
    pub fn audio(bytes: impl AsRef<[u8]>, mime_type: impl Into<String>) -> Self {
        Content::Audio {
            data: base64_encode(bytes.as_ref()),
            mime_type: mime_type.into(),
        }
    }

    /// An embedded text resource.
    pub fn resource_text(
        uri: impl Into<String>,
        mime_type: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        Content::Resource {
            resource: ResourceContents::text(uri, mime_type, text),
        }
    }

    /// An embedded binary resource from raw bytes, which are base64-encoded here.
    pub fn resource_blob(
        uri: impl Into<String>,
        mime_type: impl Into<String>,
        bytes: impl AsRef<[u8]>,
    ) -> Self {
        Content::Resource {
            resource: ResourceContents::blob(uri, mime_type, bytes),
        }
    }

    /// A link to a resource.
    pub fn resource_link(uri: impl Into<String>, name: impl Into<String>) -> Self {
        Content::ResourceLink {
            uri: uri.into(),
            name: name.into(),
            description: None,
            mime_type: None,
        }
    }
}

impl From<String> for Content {
    fn from(text: String) -> Self {
        Content::text(text)
    }
}

impl From<&str> for Content {
    fn from(text: &str) -> Self {
        Content::text(text)
    }
}

/// Who speaks a message: the user, or the assistant (the model).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The person using the client.
    User,
    /// The model.
    Assistant,
}

/// One message of a conversation: a prompt's messages, or a sampling request's.
///
/// ```
/// use mcp_runtime::{Content, Message};
/// let messages = [
///     Message::user("Summarize this image:"),
///     Message::user(Content::image([0x89, b'P', b'N', b'G'], "image/png")),
/// ];
/// # let _ = messages;
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Message {
    /// Who speaks.
    pub role: Role,
    /// Text, an image, audio, an embedded resource or a link to one.
    pub content: Content,
}

impl Message {
    /// A message from the user.
    pub fn user(content: impl Into<Content>) -> Self {
        Message {
            role: Role::User,
            content: content.into(),
        }
    }

    /// A message from the assistant (an earlier answer of the model).
    pub fn assistant(content: impl Into<Content>) -> Self {
        Message {
            role: Role::Assistant,
            content: content.into(),
        }
    }
}

/// The contents of a resource, read or embedded.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ResourceContents {
    /// A text resource.
    Text {
        /// The resource's URI.
        uri: String,
        /// Its MIME type.
        #[serde(rename = "mimeType", skip_serializing_if = "Option::is_none")]
        mime_type: Option<String>,
        /// The text.
        text: String,
    },
    /// A binary resource.
    Blob {
        /// The resource's URI.
        uri: String,
        /// Its MIME type.
        #[serde(rename = "mimeType", skip_serializing_if = "Option::is_none")]
        mime_type: Option<String>,
        /// The base64-encoded bytes.
        blob: String,
    },
}

impl ResourceContents {
    /// Text contents of the resource at `uri`.
    pub fn text(
        uri: impl Into<String>,
        mime_type: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        ResourceContents::Text {
            uri: uri.into(),
            mime_type: Some(mime_type.into()),
            text: text.into(),
        }
    }

    /// Binary contents of the resource at `uri`, from raw bytes, which are base64-encoded here.
    pub fn blob(
        uri: impl Into<String>,
        mime_type: impl Into<String>,
        bytes: impl AsRef<[u8]>,
    ) -> Self {
        ResourceContents::Blob {
            uri: uri.into(),
            mime_type: Some(mime_type.into()),
            blob: base64_encode(bytes.as_ref()),
        }
    }
}

fn base64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An icon of a tool, resource, prompt or server, as `icon(...)` declares it (MCP 2025-11-25).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Icon {
    /// An https URL or a `data:` URI.
    pub src: &'static str,
    /// Its MIME type.
    pub mime_type: Option<&'static str>,
    /// Its sizes, such as `48x48` or `any`.
    pub sizes: &'static [&'static str],
    /// `light` or `dark`: the theme it is meant for.
    pub theme: Option<&'static str>,
}

impl Icon {
    /// The `icons` array of a listing, or `None` for no icons.
    pub(crate) fn list(icons: &[Icon]) -> Option<Value> {
        if icons.is_empty() {
            return None;
        }
        let list = icons
            .iter()
            .map(|icon| {
                let mut entry = serde_json::Map::new();
                entry.insert("src".into(), icon.src.into());
                if let Some(mime_type) = icon.mime_type {
                    entry.insert("mimeType".into(), mime_type.into());
                }
                if !icon.sizes.is_empty() {
                    entry.insert("sizes".into(), icon.sizes.into());
                }
                if let Some(theme) = icon.theme {
                    entry.insert("theme".into(), theme.into());
                }
                Value::Object(entry)
            })
            .collect();
        Some(Value::Array(list))
    }
}
