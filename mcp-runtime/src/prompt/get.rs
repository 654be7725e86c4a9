//! One `prompts/get` on its way into a prompt: its arguments, typed; what the function
//! returns, as messages; and why a get fails.

use std::collections::HashMap;
use std::fmt::Display;
use std::str::FromStr;

use serde::Serialize;

use crate::content::{Content, Message};
use crate::context::Context;
use crate::extract::Refused;

/// A get on its way to a prompt: the arguments as the client sent them, and the request
/// context.
pub struct PromptCall {
    pub(crate) arguments: HashMap<String, String>,
    pub(crate) context: Context,
}

impl PromptCall {
    /// Splits the call into an argument reader and the context.
    pub fn into_parts(self, prompt: &'static str) -> (PromptArgs, Context) {
        (
            PromptArgs {
                prompt,
                arguments: self.arguments,
                errors: Vec::new(),
            },
            self.context,
        )
    }
}

/// Takes a prompt's arguments out of the call, collecting every problem into one message.
pub struct PromptArgs {
    prompt: &'static str,
    arguments: HashMap<String, String>,
    errors: Vec<String>,
}

impl PromptArgs {
    /// Takes the required argument `name`, parsed as a `T`.
    pub fn take<T: FromStr>(&mut self, name: &str) -> Option<T>
    where
        T::Err: Display,
    {
        match self.arguments.remove(name) {
            Some(value) => self.parse(name, value),
            None => {
                self.errors
                    .push(format!("missing required argument `{name}`"));
                None
            }
        }
    }

    /// Takes the optional argument `name`, parsed as a `T`.
    pub fn take_optional<T: FromStr>(&mut self, name: &str) -> Option<Option<T>>
    where
        T::Err: Display,
    {
        match self.arguments.remove(name) {
            Some(value) => self.parse(name, value).map(Some),
            None => Some(None),
        }
    }

    fn parse<T: FromStr>(&mut self, name: &str, value: String) -> Option<T>
    where
        T::Err: Display,
    {
        match value.parse() {
            Ok(value) => Some(value),
            Err(err) => {
                self.errors
                    .push(format!("argument `{name}`: `{value}` is not valid: {err}"));
                None
            }
        }
    }

    /// Fails when an argument was missing or malformed, or when an unknown argument remains.
    pub fn finish(self) -> Result<(), PromptError> {
        let mut errors = self.errors;
        let mut unknown: Vec<&String> = self.arguments.keys().collect();
        unknown.sort();
        for name in unknown {
            errors.push(format!("unknown argument `{name}`"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(PromptError::InvalidArguments(format!(
                "Invalid arguments for prompt `{}`: {}",
                self.prompt,
                errors.join("; ")
            )))
        }
    }
}

/// Why a get gave no messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptError {
    /// An argument is missing, unknown or not of its type.
    InvalidArguments(String),
    /// The caller may not use the prompt.
    Refused(String),
    /// The prompt's function failed; the message says why.
    Failed(String),
}

impl From<Refused> for PromptError {
    fn from(refused: Refused) -> Self {
        PromptError::Refused(refused.message)
    }
}

/// The error of a prompt that panicked.
pub(crate) fn panicked(name: &'static str) -> Result<GetPromptResult, PromptError> {
    Err(PromptError::Failed(format!(
        "The prompt `{name}` failed with an internal error."
    )))
}

/// A prompt's messages, with an optional description of this instance of the prompt.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct GetPromptResult {
    /// What these messages are, for the person choosing the prompt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The messages.
    pub messages: Vec<Message>,
}

impl GetPromptResult {
    /// The messages, without a description.
    pub fn new(messages: Vec<Message>) -> Self {
        GetPromptResult {
            description: None,
            messages,
        }
    }

    /// Describes this instance of the prompt.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// What a prompt function may return.
///
/// Text (`String`, `&'static str`: one user message), a [`Message`], `Vec<Message>`, a
/// [`GetPromptResult`], or a `Result` of one of these whose error implements `Display` (an
/// `Err` is an error to the client with its message).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a prompt",
    note = "return a `String`, a `Message`, a `Vec<Message>`, a `GetPromptResult`, or a `Result` of one of these"
)]
pub trait IntoPromptResult {
    /// The prompt's messages.
    fn into_prompt_result(self) -> Result<GetPromptResult, PromptError>;
}

impl IntoPromptResult for String {
    fn into_prompt_result(self) -> Result<GetPromptResult, PromptError> {
        Ok(GetPromptResult::new(vec![Message::user(Content::text(
            self,
        ))]))
    }
}

impl IntoPromptResult for &'static str {
    fn into_prompt_result(self) -> Result<GetPromptResult, PromptError> {
        self.to_owned().into_prompt_result()
    }
}

impl IntoPromptResult for Message {
    fn into_prompt_result(self) -> Result<GetPromptResult, PromptError> {
        Ok(GetPromptResult::new(vec![self]))
    }
}

impl IntoPromptResult for Vec<Message> {
    fn into_prompt_result(self) -> Result<GetPromptResult, PromptError> {
        Ok(GetPromptResult::new(self))
    }
}

impl IntoPromptResult for GetPromptResult {
    fn into_prompt_result(self) -> Result<GetPromptResult, PromptError> {
        Ok(self)
    }
}

impl<T: IntoPromptResult, E: Display> IntoPromptResult for Result<T, E> {
    fn into_prompt_result(self) -> Result<GetPromptResult, PromptError> {
        match self {
            Ok(result) => result.into_prompt_result(),
            Err(err) => Err(PromptError::Failed(err.to_string())),
        }
    }
}
