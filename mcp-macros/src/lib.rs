//! Procedural macros behind [`mcp-runtime`](https://docs.rs/mcp-runtime).
//!
//! Do not depend on this crate directly: `mcp-runtime` re-exports the macros and documents
//! them (so the macros carry no docs here: rustdoc would append them to the re-exports'). The generated code refers to `::mcp_runtime` only.
//!
//! Each macro is a pipeline: parse (`attr`, `ast`), check (`valid`), generate (`expand`),
//! with every error spanned on the user's token and reported together.

mod common;
mod item;
mod permissions;
mod prompt;
mod resource;
mod server;
mod tool;
mod words;

#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

// Documented where mcp-runtime re-exports it (rustdoc appends the docs of an item here to
// the re-export's, so none are written here).
#[allow(missing_docs)]
#[proc_macro_attribute]
pub fn tool(args: TokenStream, item: TokenStream) -> TokenStream {
    tool::expand(args.into(), item.into()).into()
}

// Documented where mcp-runtime re-exports it (rustdoc appends the docs of an item here to
// the re-export's, so none are written here).
#[allow(missing_docs)]
#[proc_macro_attribute]
pub fn resource(args: TokenStream, item: TokenStream) -> TokenStream {
    resource::expand(item::Kind::Resource, args.into(), item.into()).into()
}

// Documented where mcp-runtime re-exports it (rustdoc appends the docs of an item here to
// the re-export's, so none are written here).
#[allow(missing_docs)]
#[proc_macro_attribute]
pub fn resource_template(args: TokenStream, item: TokenStream) -> TokenStream {
    resource::expand(item::Kind::ResourceTemplate, args.into(), item.into()).into()
}

// Documented where mcp-runtime re-exports it (rustdoc appends the docs of an item here to
// the re-export's, so none are written here).
#[allow(missing_docs)]
#[proc_macro_attribute]
pub fn prompt(args: TokenStream, item: TokenStream) -> TokenStream {
    prompt::expand(args.into(), item.into()).into()
}

// Documented where mcp-runtime re-exports it (rustdoc appends the docs of an item here to
// the re-export's, so none are written here).
#[allow(missing_docs)]
#[proc_macro]
pub fn permissions(input: TokenStream) -> TokenStream {
    permissions::expand(input.into()).into()
}

// Documented where mcp-runtime re-exports it (rustdoc appends the docs of an item here to
// the re-export's, so none are written here).
#[allow(missing_docs)]
#[proc_macro_attribute]
pub fn mcp_server(args: TokenStream, item: TokenStream) -> TokenStream {
    server::expand(args.into(), item.into()).into()
}
