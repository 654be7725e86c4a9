/// Delete a document.
pub async fn delete_document(
    ctx: &Context,
    store: State<Store>,
    document_id: String,
    permanent: Option<bool>,
) -> Result<String, ToolError> {
    store.delete(&document_id, permanent).await
}
#[doc(hidden)]
#[allow(unused_macros)]
macro_rules! __mcp_tool_delete_document {
    (@ none) => {};
    (@ oauth[$($vocabulary:tt)*]) => {
        ::core::compile_error!("this tool is served with OAuth but says nothing about who may call it: add `requires = \"permission\"` (or `requires_any = [...]`) to guard it, `authenticated` to let any signed-in caller call it, or `public` to let anyone call it");
    };
}
#[doc(hidden)]
#[allow(unused_imports)]
pub(crate) use __mcp_tool_delete_document as delete_document;
///The MCP tool `delete_document`, defined by the function [`delete_document()`]: name it in `#[mcp_server(tools = [...])]` to serve it.
#[allow(non_camel_case_types)]
pub struct delete_document {}
const _: () = {
    impl ::mcp_runtime::__private::ToolMeta for delete_document {
        const NAME: &'static str = "delete_document";
        const REQUIRES: ::mcp_runtime::__private::Requirement = ::mcp_runtime::__private::Requirement::Unstated;
        const ON_DENIED: ::core::option::Option<::mcp_runtime::__private::Denial> = ::core::option::Option::None;
    }
    impl<
        S: ::core::marker::Send + ::core::marker::Sync + 'static,
    > ::mcp_runtime::__private::ToolHandler<S> for delete_document
    where
        Store: ::mcp_runtime::__private::FromRef<S>,
    {
        fn descriptor() -> ::mcp_runtime::__private::ToolDescriptor {
            let mut __mcp_gen = ::mcp_runtime::__private::schema_generator(true);
            let mut __mcp_schema = ::mcp_runtime::__private::InputSchema::new(
                &mut __mcp_gen,
            );
            __mcp_schema
                .arg::<
                    String,
                >(
                    "documentId",
                    ::core::option::Option::Some("Id of the document."),
                    true,
                );
            __mcp_schema
                .arg::<Option<bool>>("hard", ::core::option::Option::None, false);
            let __mcp_input = __mcp_schema.finish();
            ::mcp_runtime::__private::ToolDescriptor {
                name: "delete_document",
                title: ::core::option::Option::None,
                description: ::core::option::Option::Some("Delete a document."),
                input_schema: __mcp_input,
                output_schema: <Result<
                    String,
                    ToolError,
                > as ::mcp_runtime::__private::IntoToolResult>::output_schema(),
                annotations: ::mcp_runtime::__private::ToolAnnotations {
                    title: ::core::option::Option::None,
                    read_only_hint: ::core::option::Option::None,
                    destructive_hint: ::core::option::Option::Some(true),
                    idempotent_hint: ::core::option::Option::None,
                    open_world_hint: ::core::option::Option::None,
                },
                icons: &[],
                requires: <Self as ::mcp_runtime::__private::ToolMeta>::REQUIRES,
                on_denied: <Self as ::mcp_runtime::__private::ToolMeta>::ON_DENIED,
                talks_back: true,
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
            let __mcp_arg1 = ::mcp_runtime::__private::State(
                <Store as ::mcp_runtime::__private::FromRef<S>>::from_ref(__mcp_state),
            );
            ::std::boxed::Box::pin(async move {
                let (mut __mcp_reader, __mcp_ctx) = __mcp_call
                    .into_parts("delete_document");
                let __mcp_arg2 = __mcp_reader.take::<String>("documentId", true);
                let __mcp_arg3 = __mcp_reader.take::<Option<bool>>("hard", false);
                if let ::core::result::Result::Err(__mcp_err) = __mcp_reader.finish() {
                    return __mcp_err;
                }
                let __mcp_out = delete_document(
                        &__mcp_ctx,
                        __mcp_arg1,
                        ::mcp_runtime::__private::checked(__mcp_arg2),
                        ::mcp_runtime::__private::checked(__mcp_arg3),
                    )
                    .await;
                <Result<
                    String,
                    ToolError,
                > as ::mcp_runtime::__private::IntoToolResult>::into_tool_result(
                    __mcp_out,
                )
            })
        }
    }
};
