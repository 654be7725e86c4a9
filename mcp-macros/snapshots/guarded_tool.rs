/// Delete a document.
pub(crate) async fn delete_document(
    auth: &Auth,
    proof: Granted<DeleteDocuments>,
    id: String,
) -> String {
    store::delete(proof, auth.user(), id)
}
#[doc(hidden)]
#[allow(unused_macros)]
macro_rules! __mcp_tool_delete_document {
    (@ none) => {
        ::core::compile_error!("this tool requires a permission, but the server has `oauth = none`, so no caller has any: choose an OAuth mode for the server");
        ::core::compile_error!("this tool asks who its caller is, but the server has `oauth = none`, so callers are never identified: choose an OAuth mode for the server");
        ::core::compile_error!("this tool asks who its caller is, but the server has `oauth = none`, so callers are never identified: choose an OAuth mode for the server");
    };
    (@ oauth[$($vocabulary:tt)*]) => {
        const _ : () = { let _ = $($vocabulary)* ::__mcp_vocabulary::p_read_3a_data; };
        const _ : () = { let _ = $($vocabulary)*
        ::__mcp_vocabulary::p_delete_3a_documents; };
    };
}
#[doc(hidden)]
#[allow(unused_imports)]
pub(crate) use __mcp_tool_delete_document as delete_document;
///The MCP tool `delete_document`, defined by the function [`delete_document()`]: name it in `#[mcp_server(tools = [...])]` to serve it.
#[allow(non_camel_case_types)]
pub(crate) struct delete_document {}
const _: () = {
    impl ::mcp_runtime::__private::ToolMeta for delete_document {
        const NAME: &'static str = "delete_document";
        const REQUIRES: ::mcp_runtime::__private::Requirement = ::mcp_runtime::__private::Requirement::AllOf(
            &["read:data", "delete:documents"],
        );
        const ON_DENIED: ::core::option::Option<::mcp_runtime::__private::Denial> = ::core::option::Option::Some(
            ::mcp_runtime::__private::Denial::InsufficientScope,
        );
    }
    const _: () = ::core::assert!(
        ::mcp_runtime::__private::Requirement::includes(< delete_document as
        ::mcp_runtime::__private::ToolMeta > ::REQUIRES, < DeleteDocuments as
        ::mcp_runtime::__private::Permission > ::NAME,),
        "`Granted<P>` is proof that the guard checked `P`, but this tool does not require `P`: add it to `requires`"
    );
    impl<
        S: ::core::marker::Send + ::core::marker::Sync + 'static,
    > ::mcp_runtime::__private::ToolHandler<S> for delete_document {
        fn descriptor() -> ::mcp_runtime::__private::ToolDescriptor {
            let mut __mcp_gen = ::mcp_runtime::__private::schema_generator(true);
            let mut __mcp_schema = ::mcp_runtime::__private::InputSchema::new(
                &mut __mcp_gen,
            );
            __mcp_schema.arg::<String>("id", ::core::option::Option::None, true);
            let __mcp_input = __mcp_schema.finish();
            ::mcp_runtime::__private::ToolDescriptor {
                name: "delete_document",
                title: ::core::option::Option::None,
                description: ::core::option::Option::Some("Delete a document."),
                input_schema: __mcp_input,
                output_schema: <String as ::mcp_runtime::__private::IntoToolResult>::output_schema(),
                annotations: ::mcp_runtime::__private::ToolAnnotations {
                    title: ::core::option::Option::None,
                    read_only_hint: ::core::option::Option::None,
                    destructive_hint: ::core::option::Option::None,
                    idempotent_hint: ::core::option::Option::None,
                    open_world_hint: ::core::option::Option::None,
                },
                icons: &[],
                requires: <Self as ::mcp_runtime::__private::ToolMeta>::REQUIRES,
                on_denied: <Self as ::mcp_runtime::__private::ToolMeta>::ON_DENIED,
                talks_back: false,
                timeout: ::core::option::Option::None,
            }
        }
        fn call(
            __mcp_state: &S,
            __mcp_call: ::mcp_runtime::__private::ToolCall,
        ) -> ::mcp_runtime::__private::BoxFuture<
            'static,
            ::mcp_runtime::__private::CallToolResult,
        > {
            ::std::boxed::Box::pin(async move {
                let (mut __mcp_reader, __mcp_ctx) = __mcp_call
                    .into_parts("delete_document");
                let __mcp_arg2 = __mcp_reader.take::<String>("id", true);
                if let ::core::result::Result::Err(__mcp_err) = __mcp_reader.finish() {
                    return __mcp_err;
                }
                let __mcp_caller = match ::mcp_runtime::__private::caller(&__mcp_ctx) {
                    ::core::result::Result::Ok(caller) => caller,
                    ::core::result::Result::Err(refused) => {
                        return ::core::convert::From::from(refused);
                    }
                };
                let __mcp_arg1 = match ::mcp_runtime::__private::proof::<
                    DeleteDocuments,
                >(__mcp_caller) {
                    ::core::result::Result::Ok(proof) => proof,
                    ::core::result::Result::Err(refused) => {
                        return ::core::convert::From::from(refused);
                    }
                };
                let __mcp_out = delete_document(
                        __mcp_caller,
                        __mcp_arg1,
                        ::mcp_runtime::__private::checked(__mcp_arg2),
                    )
                    .await;
                <String as ::mcp_runtime::__private::IntoToolResult>::into_tool_result(
                    __mcp_out,
                )
            })
        }
    }
};
