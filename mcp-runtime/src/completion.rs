//! Completion (`completion/complete`) of prompt arguments and resource template variables:
//! what a completer is asked, and what it answers.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::auth::caller::Auth;
use crate::task::BoxFuture;

/// How the engine completes an argument of a prompt or a variable of a template.
pub(crate) type CompleteFn = fn(Completion) -> BoxFuture<'static, Completions>;

/// The most values one answer carries (the specification's limit).
const MAX_VALUES: usize = 100;

/// What a completer is asked: values for the argument (or URI variable)
/// [`argument`](Completion::argument) that start like [`value`](Completion::value).
///
/// A completer is an `async fn` named in `#[arg(complete = ...)]` that takes a `Completion` and
/// returns a `Vec<String>`, a `Vec<&'static str>` or [`Completions`]:
///
/// ```
/// use mcp_runtime::Completion;
///
/// async fn complete_city(input: Completion) -> Vec<String> {
///     ["Paris", "Parma", "Prague"]
///         .into_iter()
///         .filter(|city| city.to_lowercase().starts_with(&input.value().to_lowercase()))
///         .map(String::from)
///         .collect()
/// }
/// ```
pub struct Completion {
    argument: String,
    value: String,
    arguments: HashMap<String, String>,
    auth: Option<Arc<Auth>>,
    server: Arc<dyn Any + Send + Sync>,
}

impl Completion {
    pub(crate) fn new(
        argument: String,
        value: String,
        arguments: HashMap<String, String>,
        auth: Option<Arc<Auth>>,
        server: Arc<dyn Any + Send + Sync>,
    ) -> Self {
        Completion {
            argument,
            value,
            arguments,
            auth,
            server,
        }
    }

    /// The name of the argument (or URI variable) to complete.
    pub fn argument(&self) -> &str {
        &self.argument
    }

    /// What the user typed so far.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The values of the other arguments the user chose already.
    pub fn arguments(&self) -> &HashMap<String, String> {
        &self.arguments
    }

    /// The verified caller, on a server with OAuth when the request carried a token.
    pub fn auth(&self) -> Option<&Auth> {
        self.auth.as_deref()
    }

    /// The server struct, if it is an `S`: the state that completions come from.
    pub fn server<S: 'static>(&self) -> Option<&S> {
        self.server.downcast_ref::<S>()
    }
}

impl std::fmt::Debug for Completion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Completion")
            .field("argument", &self.argument)
            .field("value", &self.value)
            .field("arguments", &self.arguments)
            .finish_non_exhaustive()
    }
}

/// A completer's answer: values, most relevant first (at most 100 are sent; the rest are
/// counted in `total`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Completions {
    /// The values.
    pub values: Vec<String>,
    /// How many values there are in all, if known and more than sent.
    pub total: Option<usize>,
    /// Whether there are more values than sent.
    pub has_more: bool,
}

impl Completions {
    /// `values`, and nothing more.
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(values: I) -> Self {
        Completions {
            values: values.into_iter().map(Into::into).collect(),
            total: None,
            has_more: false,
        }
    }

    /// Says how many values there are in all, and whether there are more than sent.
    pub fn total(mut self, total: usize) -> Self {
        self.has_more = total > self.values.len();
        self.total = Some(total);
        self
    }

    /// The `completion` object of the result, cut to the specification's 100 values.
    pub(crate) fn into_json(mut self) -> Value {
        if self.values.len() > MAX_VALUES {
            self.total = Some(self.total.unwrap_or(0).max(self.values.len()));
            self.values.truncate(MAX_VALUES);
            self.has_more = true;
        }
        let mut completion = json!({"values": self.values, "hasMore": self.has_more});
        if let Some(total) = self.total {
            completion["total"] = total.into();
        }
        json!({ "completion": completion })
    }
}

/// What a completer may return.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a completer",
    note = "return a `Vec<String>`, a `Vec<&'static str>` or `Completions`"
)]
pub trait IntoCompletions {
    /// The answer.
    fn into_completions(self) -> Completions;
}

impl IntoCompletions for Completions {
    fn into_completions(self) -> Completions {
        self
    }
}

impl IntoCompletions for Vec<String> {
    fn into_completions(self) -> Completions {
        Completions::new(self)
    }
}

impl IntoCompletions for Vec<&'static str> {
    fn into_completions(self) -> Completions {
        Completions::new(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_cut_to_a_hundred_values() {
        let many: Vec<String> = (0..150).map(|i| i.to_string()).collect();
        let answer = Completions::new(many).into_json();
        assert_eq!(
            answer["completion"]["values"].as_array().unwrap().len(),
            100
        );
        assert_eq!(answer["completion"]["total"], 150);
        assert_eq!(answer["completion"]["hasMore"], true);
        let few = Completions::new(["a", "b"]).total(10).into_json();
        assert_eq!(
            few,
            json!({"completion": {"values": ["a", "b"], "hasMore": true, "total": 10}})
        );
        assert_eq!(
            Completions::default().into_json(),
            json!({"completion": {"values": [], "hasMore": false}})
        );
    }
}
