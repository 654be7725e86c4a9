//! What tools, resources, resource templates and prompts share: a function with parameters
//! recognised by type, the keys that say who may use it, icons, the checks against the
//! server that serves it, and the code that hands it its caller, state and proofs.

pub(crate) mod access;
pub(crate) mod calls;
pub(crate) mod checks;
pub(crate) mod func;
pub(crate) mod icons;
pub(crate) mod params;

/// Which kind of item a macro declares, for its messages and generated names.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Tool,
    Resource,
    ResourceTemplate,
    Prompt,
}

impl Kind {
    /// "tool", "resource", "resource template", "prompt".
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Kind::Tool => "tool",
            Kind::Resource => "resource",
            Kind::ResourceTemplate => "resource template",
            Kind::Prompt => "prompt",
        }
    }

    /// What is done with it: "called", "read", "used".
    pub(crate) fn used(self) -> &'static str {
        match self {
            Kind::Tool => "called",
            Kind::Resource | Kind::ResourceTemplate => "read",
            Kind::Prompt => "used",
        }
    }

    /// What one of its plain parameters is.
    pub(crate) fn argument(self) -> &'static str {
        match self {
            Kind::Tool | Kind::Prompt => "argument",
            Kind::Resource | Kind::ResourceTemplate => "URI variable",
        }
    }
}
