//! One `resources/read` on its way into a resource: the URI and its variables, typed; what the
//! function returns, as contents; and why a read fails.

use std::fmt::Display;
use std::str::FromStr;

use serde::Serialize;

use crate::content::ResourceContents;
use crate::context::Context;
use crate::extract::Refused;
use crate::tool::result::Json;

/// A read on its way to a resource: the URI, the template's variables, the request context.
pub struct ResourceRead {
    pub(crate) uri: String,
    pub(crate) variables: Vec<(String, String)>,
    pub(crate) context: Context,
}

impl ResourceRead {
    /// Splits the read into the variables, the context and the URI.
    pub fn into_parts(self) -> (Variables, Context, String) {
        (
            Variables {
                values: self.variables,
            },
            self.context,
            self.uri,
        )
    }
}

/// The values of a template's variables, as the URI held them.
pub struct Variables {
    values: Vec<(String, String)>,
}

impl Variables {
    /// The variable `name`, parsed as a `T` (a number is checked to be one).
    pub fn take<T: FromStr>(&mut self, name: &str) -> Result<T, ReadError>
    where
        T::Err: Display,
    {
        let index = self
            .values
            .iter()
            .position(|(n, _)| n == name)
            .ok_or_else(|| ReadError::InvalidUri(format!("the URI has no `{name}`")))?;
        let (_, value) = self.values.swap_remove(index);
        value.parse::<T>().map_err(|err| {
            ReadError::InvalidUri(format!("`{value}` is not a valid `{name}`: {err}"))
        })
    }
}

/// Why a read gave no contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The server has no resource at this URI.
    NotFound,
    /// The URI matches a template, but a variable's value is not what it takes.
    InvalidUri(String),
    /// The caller may not read it.
    Refused(String),
    /// The resource's function failed; the message says why.
    Failed(String),
}

impl From<Refused> for ReadError {
    fn from(refused: Refused) -> Self {
        ReadError::Refused(refused.message)
    }
}

/// The error of a resource that panicked.
pub(crate) fn panicked(name: &'static str) -> Result<Vec<ResourceContents>, ReadError> {
    Err(ReadError::Failed(format!(
        "The resource `{name}` failed with an internal error."
    )))
}

/// What a resource function may return.
///
/// Text (`String`, `&'static str`), bytes (`Vec<u8>`, sent base64-encoded), [`Json<T>`](Json)
/// (text of `application/json`), [`ResourceContents`] or `Vec<ResourceContents>` (several
/// contents, or full control), `Option<T>` of one of these (`None`: not found), or `Result<T, E>`
/// where `E: Display` (an `Err` is an error to the client with its message).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a resource",
    note = "return a `String`, `Vec<u8>`, `Json<T>`, `ResourceContents`, `Vec<ResourceContents>`, an `Option` or a `Result` of one of these"
)]
pub trait IntoResourceContents {
    /// The contents of the resource read at `uri`, whose declared type is `mime_type`.
    fn into_contents(
        self,
        uri: &str,
        mime_type: Option<&'static str>,
    ) -> Result<Vec<ResourceContents>, ReadError>;
}

impl IntoResourceContents for String {
    fn into_contents(
        self,
        uri: &str,
        mime_type: Option<&'static str>,
    ) -> Result<Vec<ResourceContents>, ReadError> {
        Ok(vec![ResourceContents::text(
            uri,
            mime_type.unwrap_or("text/plain"),
            self,
        )])
    }
}

impl IntoResourceContents for &'static str {
    fn into_contents(
        self,
        uri: &str,
        mime_type: Option<&'static str>,
    ) -> Result<Vec<ResourceContents>, ReadError> {
        self.to_owned().into_contents(uri, mime_type)
    }
}

impl IntoResourceContents for Vec<u8> {
    fn into_contents(
        self,
        uri: &str,
        mime_type: Option<&'static str>,
    ) -> Result<Vec<ResourceContents>, ReadError> {
        Ok(vec![ResourceContents::blob(
            uri,
            mime_type.unwrap_or("application/octet-stream"),
            self,
        )])
    }
}

impl<T: Serialize> IntoResourceContents for Json<T> {
    fn into_contents(
        self,
        uri: &str,
        mime_type: Option<&'static str>,
    ) -> Result<Vec<ResourceContents>, ReadError> {
        match serde_json::to_string(&self.0) {
            Ok(text) => Ok(vec![ResourceContents::text(
                uri,
                mime_type.unwrap_or("application/json"),
                text,
            )]),
            Err(err) => {
                tracing::error!(error = %err, "a resource's JSON failed to serialize");
                Err(ReadError::Failed(
                    "The resource's contents could not be serialized.".into(),
                ))
            }
        }
    }
}

impl IntoResourceContents for ResourceContents {
    fn into_contents(
        self,
        _uri: &str,
        _mime_type: Option<&'static str>,
    ) -> Result<Vec<ResourceContents>, ReadError> {
        Ok(vec![self])
    }
}

impl IntoResourceContents for Vec<ResourceContents> {
    fn into_contents(
        self,
        _uri: &str,
        _mime_type: Option<&'static str>,
    ) -> Result<Vec<ResourceContents>, ReadError> {
        Ok(self)
    }
}

impl<T: IntoResourceContents> IntoResourceContents for Option<T> {
    fn into_contents(
        self,
        uri: &str,
        mime_type: Option<&'static str>,
    ) -> Result<Vec<ResourceContents>, ReadError> {
        match self {
            Some(contents) => contents.into_contents(uri, mime_type),
            None => Err(ReadError::NotFound),
        }
    }
}

impl<T: IntoResourceContents, E: Display> IntoResourceContents for Result<T, E> {
    fn into_contents(
        self,
        uri: &str,
        mime_type: Option<&'static str>,
    ) -> Result<Vec<ResourceContents>, ReadError> {
        match self {
            Ok(contents) => contents.into_contents(uri, mime_type),
            Err(err) => Err(ReadError::Failed(err.to_string())),
        }
    }
}
