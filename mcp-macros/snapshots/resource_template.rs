/// A document.
pub async fn document(
    store: State<Store>,
    folder: String,
    path: String,
) -> Option<String> {
    store.get(&folder, &path)
}
#[doc(hidden)]
#[allow(unused_macros)]
macro_rules! __mcp_resource_document {
    (@ none) => {};
    (@ oauth[$($vocabulary:tt)*]) => {};
}
#[doc(hidden)]
#[allow(unused_imports)]
pub(crate) use __mcp_resource_document as document;
///The MCP resource template `docs://{folder}/{+path}`, defined by the function [`document()`]: name it in `#[mcp_server(resources = [...])]` to serve it.
#[allow(non_camel_case_types)]
pub struct document {}
const _: () = {
    impl ::mcp_runtime::__private::ResourceMeta for document {
        const URI: &'static str = "docs://{folder}/{+path}";
        const NAME: &'static str = "document";
        const REQUIRES: ::mcp_runtime::__private::Requirement = ::mcp_runtime::__private::Requirement::Public;
        const ON_DENIED: ::core::option::Option<::mcp_runtime::__private::Denial> = ::core::option::Option::None;
    }
    impl<
        S: ::core::marker::Send + ::core::marker::Sync + 'static,
    > ::mcp_runtime::__private::ResourceHandler<S> for document
    where
        Store: ::mcp_runtime::__private::FromRef<S>,
    {
        fn descriptor() -> ::mcp_runtime::__private::ResourceDescriptor {
            ::mcp_runtime::__private::ResourceDescriptor {
                uri: "docs://{folder}/{+path}",
                template: &[
                    ::mcp_runtime::__private::TemplatePart::Literal("docs://"),
                    ::mcp_runtime::__private::TemplatePart::Var {
                        name: "folder",
                        reserved: false,
                    },
                    ::mcp_runtime::__private::TemplatePart::Literal("/"),
                    ::mcp_runtime::__private::TemplatePart::Var {
                        name: "path",
                        reserved: true,
                    },
                ],
                name: "document",
                title: ::core::option::Option::None,
                description: ::core::option::Option::Some("A document."),
                mime_type: ::core::option::Option::None,
                size: ::core::option::Option::None,
                audience: &[],
                priority: ::core::option::Option::None,
                last_modified: ::core::option::Option::None,
                icons: &[],
                requires: <Self as ::mcp_runtime::__private::ResourceMeta>::REQUIRES,
                on_denied: <Self as ::mcp_runtime::__private::ResourceMeta>::ON_DENIED,
            }
        }
        fn read(
            __mcp_state: &S,
            __mcp_read: ::mcp_runtime::__private::ResourceRead,
        ) -> ::mcp_runtime::__private::BoxFuture<
            'static,
            ::core::result::Result<
                ::std::vec::Vec<::mcp_runtime::ResourceContents>,
                ::mcp_runtime::__private::ReadError,
            >,
        > {
            let __mcp_arg0 = ::mcp_runtime::__private::State(
                <Store as ::mcp_runtime::__private::FromRef<S>>::from_ref(__mcp_state),
            );
            ::std::boxed::Box::pin(async move {
                #[allow(unused_mut, unused_variables)]
                let (mut __mcp_vars, __mcp_ctx, __mcp_uri) = __mcp_read.into_parts();
                let __mcp_arg1 = match __mcp_vars.take::<String>("folder") {
                    ::core::result::Result::Ok(value) => value,
                    ::core::result::Result::Err(err) => {
                        return ::core::result::Result::Err(err);
                    }
                };
                let __mcp_arg2 = match __mcp_vars.take::<String>("path") {
                    ::core::result::Result::Ok(value) => value,
                    ::core::result::Result::Err(err) => {
                        return ::core::result::Result::Err(err);
                    }
                };
                let __mcp_out = document(__mcp_arg0, __mcp_arg1, __mcp_arg2).await;
                <Option<
                    String,
                > as ::mcp_runtime::__private::IntoResourceContents>::into_contents(
                    __mcp_out,
                    &__mcp_uri,
                    ::core::option::Option::None,
                )
            })
        }
        fn complete(
            __mcp_completion: ::mcp_runtime::__private::Completion,
        ) -> ::mcp_runtime::__private::BoxFuture<
            'static,
            ::mcp_runtime::__private::Completions,
        > {
            let __mcp_argument = ::std::string::ToString::to_string(
                __mcp_completion.argument(),
            );
            match __mcp_argument.as_str() {
                "folder" => {
                    ::std::boxed::Box::pin(async move {
                        ::mcp_runtime::__private::IntoCompletions::into_completions(
                            complete_folder(__mcp_completion).await,
                        )
                    })
                }
                _ => {
                    ::std::boxed::Box::pin(
                        ::core::future::ready(
                            <::mcp_runtime::__private::Completions as ::core::default::Default>::default(),
                        ),
                    )
                }
            }
        }
    }
};
