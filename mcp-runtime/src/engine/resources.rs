//! The server's resources and resource templates at run time: listed (hidden ones only to
//! callers they would let in), matched by URI, guarded, read within their time limit.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::guard::{Access, Guard};
use super::outcome::Failure;
use super::paging::list_result;
use crate::auth::caller::Auth;
use crate::auth::permission::Denial;
use crate::completion::CompleteFn;
use crate::content::ResourceContents;
use crate::context::Context;
use crate::protocol::jsonrpc::{RpcError, code};
use crate::resource::handler::ResourceEntry;
use crate::resource::read::{ReadError, ResourceRead, panicked};
use crate::resource::template::UriTemplate;
use crate::task::{BoxFuture, CatchUnwind};

type ErasedRead = Box<
    dyn Fn(ResourceRead) -> BoxFuture<'static, Result<Vec<ResourceContents>, ReadError>>
        + Send
        + Sync,
>;

/// One resource or template.
pub(crate) struct Resource {
    pub(crate) name: &'static str,
    pub(crate) uri: &'static str,
    mime_type: Option<&'static str>,
    template: Option<UriTemplate>,
    pub(crate) guard: Guard,
    listed: Value,
    read: ErasedRead,
    pub(crate) complete: CompleteFn,
}

/// The resources of one server.
pub(crate) struct Resources {
    fixed: Vec<Resource>,
    templates: Vec<Resource>,
    by_uri: HashMap<&'static str, usize>,
}

/// A URI that names no resource of this server, as 2025-11-25 answers it.
pub(crate) fn not_found(uri: &str) -> RpcError {
    RpcError::new(
        code::RESOURCE_NOT_FOUND,
        format!("Resource not found: {uri}"),
    )
    .with_data(json!({ "uri": uri }))
}

impl Resources {
    /// The resources of a server with state `state`, in their listed order.
    pub(crate) fn new<S: Send + Sync + 'static>(
        state: &Arc<S>,
        entries: Vec<ResourceEntry<S>>,
        guarded: bool,
        denial: Denial,
    ) -> Self {
        let (mut fixed, mut templates) = (Vec::new(), Vec::new());
        let mut by_uri = HashMap::new();
        for entry in entries {
            let ResourceEntry {
                descriptor,
                read,
                complete,
            } = entry;
            let state = Arc::clone(state);
            let guard = Guard::new(descriptor.requires, descriptor.on_denied, denial, guarded);
            let mut listed = descriptor.to_json();
            if let Some(meta) = guard.meta() {
                listed["_meta"] = meta;
            }
            let resource = Resource {
                name: descriptor.name,
                uri: descriptor.uri,
                mime_type: descriptor.mime_type,
                template: descriptor
                    .is_template()
                    .then(|| UriTemplate::new(descriptor.template)),
                guard,
                listed,
                read: Box::new(move |r| read(&state, r)),
                complete,
            };
            if descriptor.is_template() {
                templates.push(resource);
            } else if by_uri.insert(descriptor.uri, fixed.len()).is_none() {
                fixed.push(resource);
            } else {
                // `#[mcp_server]` rejects duplicate URIs at compile time; a hand-built set keeps the first.
                tracing::warn!(
                    uri = descriptor.uri,
                    "duplicate resource URI; the later one is ignored"
                );
            }
        }
        Resources {
            fixed,
            templates,
            by_uri,
        }
    }

    /// Whether the server has no resources nor templates.
    pub(crate) fn is_empty(&self) -> bool {
        self.fixed.is_empty() && self.templates.is_empty()
    }

    /// Whether the server has templates (whose variables may be completed).
    pub(crate) fn has_templates(&self) -> bool {
        !self.templates.is_empty()
    }

    /// `resources/list` (fixed resources) or `resources/templates/list`: one page of what
    /// `auth` may see.
    pub(crate) fn list(
        &self,
        templates: bool,
        params: Option<&Map<String, Value>>,
        auth: Option<&Auth>,
        page_size: usize,
    ) -> Result<Value, RpcError> {
        let (all, method, key) = if templates {
            (
                &self.templates,
                "resources/templates/list",
                "resourceTemplates",
            )
        } else {
            (&self.fixed, "resources/list", "resources")
        };
        let visible: Vec<&Resource> = all.iter().filter(|r| r.guard.visible(auth)).collect();
        list_result(&visible, |r| &r.listed, params, page_size, method, key)
    }

    /// The resource at `uri` (a fixed one first, then the first template that matches), with
    /// the template's variables.
    fn find(&self, uri: &str) -> Option<(&Resource, Vec<(String, String)>)> {
        if let Some(&index) = self.by_uri.get(uri) {
            return Some((&self.fixed[index], Vec::new()));
        }
        self.templates.iter().find_map(|resource| {
            let template = resource.template.as_ref()?;
            template.matches(uri).map(|variables| (resource, variables))
        })
    }

    /// The template whose URI template is `uri_template`.
    pub(crate) fn template(&self, uri_template: &str) -> Option<&Resource> {
        self.templates.iter().find(|t| t.uri == uri_template)
    }

    /// Whether `auth` may read `uri`: the resource it names, or the failure to answer.
    pub(crate) fn check(&self, uri: &str, auth: Option<&Auth>) -> Result<(), Failure> {
        let (resource, _) = self.find(uri).ok_or_else(|| not_found(uri))?;
        check(resource, uri, auth)
    }

    /// `resources/read`.
    pub(crate) async fn read(
        &self,
        params: Option<&Map<String, Value>>,
        context: Context,
        limit: std::time::Duration,
    ) -> Result<Value, Failure> {
        let uri = uri_param(params)?;
        let (resource, variables) = self.find(uri).ok_or_else(|| not_found(uri))?;
        check(resource, uri, context.auth())?;
        let read = ResourceRead {
            uri: uri.to_owned(),
            variables,
            context,
        };
        let call = CatchUnwind::new((resource.read)(read), resource.name, panicked);
        let contents = match tokio::time::timeout(limit, call).await {
            Ok(contents) => contents,
            Err(_) => {
                tracing::warn!(resource = resource.name, "a resource read ran out of time");
                return Err(RpcError::new(
                    code::INTERNAL_ERROR,
                    format!(
                        "The resource `{}` could not be read within {} seconds.",
                        resource.name,
                        limit.as_secs_f64()
                    ),
                )
                .into());
            }
        };
        match contents {
            Ok(mut contents) => {
                // A function that returns bare contents gets the URI and type filled in.
                for item in &mut contents {
                    fill_in(item, uri, resource.mime_type);
                }
                Ok(json!({ "contents": contents }))
            }
            Err(ReadError::NotFound) => Err(not_found(uri).into()),
            Err(ReadError::InvalidUri(why)) => {
                Err(RpcError::invalid_params(format!("Invalid URI `{uri}`: {why}")).into())
            }
            Err(ReadError::Refused(why)) => Err(RpcError::new(code::REFUSED, why).into()),
            Err(ReadError::Failed(why)) => Err(RpcError::new(code::INTERNAL_ERROR, why).into()),
        }
    }
}

/// The guard of `resource`, as a read answers it.
fn check(resource: &Resource, uri: &str, auth: Option<&Auth>) -> Result<(), Failure> {
    match resource.guard.check(auth, "resource", resource.name) {
        Access::Allowed => Ok(()),
        Access::Hidden => Err(not_found(uri).into()),
        Access::Refused(refusal) => Err(Failure::Refused(refusal)),
        Access::Forbidden(message) => Err(RpcError::new(code::REFUSED, message).into()),
    }
}

/// The `uri` of a resource request.
pub(crate) fn uri_param(params: Option<&Map<String, Value>>) -> Result<&str, RpcError> {
    params
        .and_then(|p| p.get("uri"))
        .and_then(Value::as_str)
        .ok_or_else(|| RpcError::invalid_params("this request needs a string `uri`"))
}

/// Contents with an empty URI get the one read; with no type, the resource's.
fn fill_in(contents: &mut ResourceContents, uri: &str, mime_type: Option<&'static str>) {
    let (item_uri, item_type) = match contents {
        ResourceContents::Text { uri, mime_type, .. }
        | ResourceContents::Blob { uri, mime_type, .. } => (uri, mime_type),
    };
    if item_uri.is_empty() {
        *item_uri = uri.to_owned();
    }
    if item_type.is_none() {
        *item_type = mime_type.map(str::to_owned);
    }
}
