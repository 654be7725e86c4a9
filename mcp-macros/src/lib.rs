//! Procedural macros behind [`mcp-runtime`](https://docs.rs/mcp-runtime).
//!
//! Do not depend on this crate directly: `mcp-runtime` re-exports the macros and documents
//! them. The generated code refers to `::mcp_runtime` only.
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

/// Declares an MCP tool. Documented in `mcp_runtime::tool`.
#[proc_macro_attribute]
pub fn tool(args: TokenStream, item: TokenStream) -> TokenStream {
    tool::expand(args.into(), item.into()).into()
}

/// Declares an MCP resource at a fixed URI. Documented in `mcp_runtime::resource`.
#[proc_macro_attribute]
pub fn resource(args: TokenStream, item: TokenStream) -> TokenStream {
    resource::expand(item::Kind::Resource, args.into(), item.into()).into()
}

/// Declares an MCP resource template. Documented in `mcp_runtime::resource_template`.
#[proc_macro_attribute]
pub fn resource_template(args: TokenStream, item: TokenStream) -> TokenStream {
    resource::expand(item::Kind::ResourceTemplate, args.into(), item.into()).into()
}

/// Declares an MCP prompt. Documented in `mcp_runtime::prompt`.
#[proc_macro_attribute]
pub fn prompt(args: TokenStream, item: TokenStream) -> TokenStream {
    prompt::expand(args.into(), item.into()).into()
}

/// Declares a permission vocabulary. Documented in `mcp_runtime::permissions`.
#[proc_macro]
pub fn permissions(input: TokenStream) -> TokenStream {
    permissions::expand(input.into()).into()
}

/// Declares an MCP server. Documented in `mcp_runtime::mcp_server`.
#[proc_macro_attribute]
pub fn mcp_server(args: TokenStream, item: TokenStream) -> TokenStream {
    server::expand(args.into(), item.into()).into()
}
