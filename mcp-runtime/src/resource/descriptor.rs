//! What a client sees of a resource or template in `resources/list` and
//! `resources/templates/list`, as the macros describe it.

use serde_json::{Map, Value, json};

use super::template::TemplatePart;
use crate::auth::permission::{Denial, Requirement};
use crate::content::Icon;

/// A resource or resource template. Built once, when the server starts.
#[derive(Debug, Clone)]
pub struct ResourceDescriptor {
    /// The resource's URI, or the template's.
    pub uri: &'static str,
    /// A template's parts (empty for a fixed resource).
    pub template: &'static [TemplatePart],
    /// Its name.
    pub name: &'static str,
    /// A human-readable title.
    pub title: Option<&'static str>,
    /// What it is, from the doc comment.
    pub description: Option<&'static str>,
    /// The MIME type of its contents.
    pub mime_type: Option<&'static str>,
    /// Its size in bytes, if known (fixed resources only).
    pub size: Option<u64>,
    /// `user` and/or `assistant`: who the contents are for.
    pub audience: &'static [&'static str],
    /// How important the resource is, from 0 to 1.
    pub priority: Option<f64>,
    /// When it last changed (ISO 8601).
    pub last_modified: Option<&'static str>,
    /// Its icons.
    pub icons: &'static [Icon],
    /// Who may read it.
    pub requires: Requirement,
    /// What a caller without the permission gets, when the resource overrides the server.
    pub on_denied: Option<Denial>,
}

impl ResourceDescriptor {
    /// Whether this is a template.
    pub(crate) fn is_template(&self) -> bool {
        !self.template.is_empty()
    }

    /// The resource as listed.
    pub(crate) fn to_json(&self) -> Value {
        let mut entry = Map::new();
        let key = if self.is_template() {
            "uriTemplate"
        } else {
            "uri"
        };
        entry.insert(key.into(), self.uri.into());
        entry.insert("name".into(), self.name.into());
        let optional = [
            ("title", self.title),
            ("description", self.description),
            ("mimeType", self.mime_type),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                entry.insert(key.into(), value.into());
            }
        }
        if let (Some(size), false) = (self.size, self.is_template()) {
            entry.insert("size".into(), size.into());
        }
        let mut annotations = Map::new();
        if !self.audience.is_empty() {
            annotations.insert("audience".into(), json!(self.audience));
        }
        if let Some(priority) = self.priority {
            annotations.insert("priority".into(), priority.into());
        }
        if let Some(last_modified) = self.last_modified {
            annotations.insert("lastModified".into(), last_modified.into());
        }
        if !annotations.is_empty() {
            entry.insert("annotations".into(), Value::Object(annotations));
        }
        if let Some(icons) = Icon::list(self.icons) {
            entry.insert("icons".into(), icons);
        }
        Value::Object(entry)
    }
}
