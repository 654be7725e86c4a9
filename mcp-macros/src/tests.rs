//! Expansion snapshots: the code the macros generate for the main cases, pretty-printed and
//! compared with the committed files in `snapshots/`. Review a snapshot diff like code;
//! `UPDATE_SNAPSHOTS=1 cargo test -p mcp-macros` rewrites them.

use proc_macro2::TokenStream;
use quote::quote;

fn check(name: &str, expanded: TokenStream) {
    let file: syn::File = syn::parse2(expanded).expect("the expansion parses as a file");
    let pretty = prettyplease::unparse(&file);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("snapshots")
        .join(format!("{name}.rs"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &pretty).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}; run with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert!(
        expected == pretty,
        "expansion of `{name}` changed; review it and run with UPDATE_SNAPSHOTS=1 to accept:\n{pretty}"
    );
}

#[test]
fn tool_with_arguments_and_annotations() {
    let expanded = crate::tool::expand(
        quote!(read_only, idempotent, title = "Add"),
        quote! {
            /// Add two numbers.
            async fn add(
                /// The first addend.
                a: i64,
                /// The second addend.
                b: Option<i64>,
            ) -> String {
                (a + b.unwrap_or(0)).to_string()
            }
        },
    );
    check("tool_with_arguments", expanded);
}

#[test]
fn tool_with_context_state_and_renamed_arguments() {
    let expanded = crate::tool::expand(
        quote!(destructive, rename_all = "camelCase"),
        quote! {
            /// Delete a document.
            pub async fn delete_document(
                ctx: &Context,
                store: State<Store>,
                /// Id of the document.
                document_id: String,
                #[arg(rename = "hard")]
                permanent: Option<bool>,
            ) -> Result<String, ToolError> {
                store.delete(&document_id, permanent).await
            }
        },
    );
    check("tool_with_context_and_state", expanded);
}

#[test]
fn tool_with_args_struct() {
    let expanded = crate::tool::expand(
        quote!(name = "create-document"),
        quote! {
            /// Create a document.
            async fn create(input: Args<NewDocument>) -> Json<Document> {
                Json(input.0.into())
            }
        },
    );
    check("tool_with_args_struct", expanded);
}

#[test]
fn guarded_tool_with_caller_and_proof() {
    let expanded = crate::tool::expand(
        quote!(
            requires = ["read:data", "delete:documents"],
            on_denied = insufficient_scope
        ),
        quote! {
            /// Delete a document.
            pub(crate) async fn delete_document(
                auth: &Auth,
                proof: Granted<DeleteDocuments>,
                id: String,
            ) -> String {
                store::delete(proof, auth.user(), id)
            }
        },
    );
    check("guarded_tool", expanded);
}

#[test]
fn server_with_oauth() {
    let expanded = crate::server::expand(
        quote!(
            oauth = jwt,
            permissions = perms,
            on_denied = hide,
            tools = [delete_document]
        ),
        quote!(
            struct Docs;
        ),
    );
    check("server_with_oauth", expanded);
}

#[test]
fn permission_vocabulary() {
    let expanded = crate::permissions::expand(quote! {
        /// The vocabulary.
        pub mod perms {
            /// Read data.
            ReadData = "read:data",
        }
    });
    check("permissions", expanded);
}

#[test]
fn server() {
    let expanded = crate::server::expand(
        quote!(
            name = "calculator",
            version = "1.0.0",
            oauth = none,
            tools = [add, ops::sub]
        ),
        quote!(
            struct Calculator;
        ),
    );
    check("server", expanded);
}

#[test]
fn resource() {
    let expanded = crate::resource::expand(
        crate::item::Kind::Resource,
        quote!(
            uri = "docs://readme",
            mime_type = "text/markdown",
            priority = 0.5,
            requires = "read:data"
        ),
        quote! {
            /// The README.
            async fn readme(auth: &Auth) -> String {
                format!("# Hello, {}", auth.user().user_id)
            }
        },
    );
    check("resource", expanded);
}

#[test]
fn resource_template() {
    let expanded = crate::resource::expand(
        crate::item::Kind::ResourceTemplate,
        quote!(uri = "docs://{folder}/{+path}", public),
        quote! {
            /// A document.
            pub async fn document(
                store: State<Store>,
                #[arg(complete = complete_folder)]
                folder: String,
                path: String,
            ) -> Option<String> {
                store.get(&folder, &path)
            }
        },
    );
    check("resource_template", expanded);
}

#[test]
fn prompt() {
    let expanded = crate::prompt::expand(
        quote!(name = "summarize", title = "Summarize"),
        quote! {
            /// Summarize a text.
            async fn summarize(
                /// The text.
                #[arg(complete = complete_text)]
                text: String,
                /// At most this many words.
                #[arg(rename = "maxWords")]
                max_words: Option<u32>,
            ) -> String {
                format!("Summarize in {} words: {text}", max_words.unwrap_or(50))
            }
        },
    );
    check("prompt", expanded);
}

#[test]
fn server_with_resources_and_prompts() {
    let expanded = crate::server::expand(
        quote!(
            name = "docs",
            oauth = none,
            tools = [],
            resources = [readme, docs::document],
            prompts = [summarize],
            icon(src = "https://example.com/docs.png", theme = dark)
        ),
        quote!(
            struct Docs;
        ),
    );
    check("server_with_resources_and_prompts", expanded);
}

#[test]
fn a_tool_with_a_mistake_still_emits_the_function() {
    let expanded = crate::tool::expand(
        quote!(),
        quote!(
            fn add(
                /** A. */
                a: i64,
            ) -> i64 {
                a
            }
        ),
    );
    let text = expanded.to_string();
    assert!(text.contains("compile_error"));
    assert!(text.contains("fn add (a : i64 ,) -> i64 { a }"), "{text}");
    assert!(
        !text.contains("doc"),
        "the parameter's doc comment must be removed: {text}"
    );
}
