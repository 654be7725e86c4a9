/// The README.
async fn readme(auth: &Auth) -> String {
    format!("# Hello, {}", auth.user().user_id)
}
#[doc(hidden)]
#[allow(unused_macros)]
macro_rules! __mcp_resource_readme {
    (@ none) => {
        ::core::compile_error!("this resource requires a permission, but the server has `oauth = none`, so no caller has any: choose an OAuth mode for the server");
        ::core::compile_error!("this resource asks who its caller is, but the server has `oauth = none`, so callers are never identified: choose an OAuth mode for the server");
    };
    (@ oauth[$($vocabulary:tt)*]) => {
        const _ : () = { let _ = $($vocabulary)* ::__mcp_vocabulary::p_read_3a_data; };
    };
}
#[doc(hidden)]
#[allow(unused_imports)]
use __mcp_resource_readme as readme;
///The MCP resource `docs://readme`, defined by the function [`readme()`]: name it in `#[mcp_server(resources = [...])]` to serve it.
#[allow(non_camel_case_types)]
struct readme {}
const _: () = {
    impl ::mcp_runtime::__private::ResourceMeta for readme {
        const URI: &'static str = "docs://readme";
        const NAME: &'static str = "readme";
        const REQUIRES: ::mcp_runtime::__private::Requirement = ::mcp_runtime::__private::Requirement::AllOf(
            &["read:data"],
        );
        const ON_DENIED: ::core::option::Option<::mcp_runtime::__private::Denial> = ::core::option::Option::None;
    }
    impl<
        S: ::core::marker::Send + ::core::marker::Sync + 'static,
    > ::mcp_runtime::__private::ResourceHandler<S> for readme {
        fn descriptor() -> ::mcp_runtime::__private::ResourceDescriptor {
            ::mcp_runtime::__private::ResourceDescriptor {
                uri: "docs://readme",
                template: &[],
                name: "readme",
                title: ::core::option::Option::None,
                description: ::core::option::Option::Some("The README."),
                mime_type: ::core::option::Option::Some("text/markdown"),
                size: ::core::option::Option::None,
                audience: &[],
                priority: ::core::option::Option::Some(0.5),
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
            ::std::boxed::Box::pin(async move {
                #[allow(unused_mut, unused_variables)]
                let (mut __mcp_vars, __mcp_ctx, __mcp_uri) = __mcp_read.into_parts();
                let __mcp_caller = match ::mcp_runtime::__private::caller(&__mcp_ctx) {
                    ::core::result::Result::Ok(caller) => caller,
                    ::core::result::Result::Err(refused) => {
                        return ::core::result::Result::Err(
                            ::core::convert::From::from(refused),
                        );
                    }
                };
                let __mcp_out = readme(__mcp_caller).await;
                <String as ::mcp_runtime::__private::IntoResourceContents>::into_contents(
                    __mcp_out,
                    &__mcp_uri,
                    ::core::option::Option::Some("text/markdown"),
                )
            })
        }
    }
};
