/// Create a document.
async fn create(input: Args<NewDocument>) -> Json<Document> {
    Json(input.0.into())
}
#[doc(hidden)]
#[allow(unused_macros)]
macro_rules! __mcp_tool_create {
    (@ none) => {};
    (@ oauth[$($vocabulary:tt)*]) => {
        ::core::compile_error!("this tool is served with OAuth but says nothing about who may call it: add `requires = \"permission\"` (or `requires_any = [...]`) to guard it, `authenticated` to let any signed-in caller call it, or `public` to let anyone call it");
    };
}
#[doc(hidden)]
#[allow(unused_imports)]
use __mcp_tool_create as create;
///The MCP tool `create-document`, defined by the function [`create()`]: name it in `#[mcp_server(tools = [...])]` to serve it.
#[allow(non_camel_case_types)]
struct create {}
const _: () = {
    impl ::mcp_runtime::__private::ToolMeta for create {
        const NAME: &'static str = "create-document";
        const REQUIRES: ::mcp_runtime::__private::Requirement = ::mcp_runtime::__private::Requirement::Unstated;
        const ON_DENIED: ::core::option::Option<::mcp_runtime::__private::Denial> = ::core::option::Option::None;
    }
    impl<
        S: ::core::marker::Send + ::core::marker::Sync + 'static,
    > ::mcp_runtime::__private::ToolHandler<S> for create {
        fn descriptor() -> ::mcp_runtime::__private::ToolDescriptor {
            let mut __mcp_gen = ::mcp_runtime::__private::schema_generator(true);
            let mut __mcp_schema = ::mcp_runtime::__private::InputSchema::new(
                &mut __mcp_gen,
            );
            __mcp_schema.flatten::<Args<NewDocument>>();
            let __mcp_input = __mcp_schema.finish();
            ::mcp_runtime::__private::ToolDescriptor {
                name: "create-document",
                title: ::core::option::Option::None,
                description: ::core::option::Option::Some("Create a document."),
                input_schema: __mcp_input,
                output_schema: <Json<
                    Document,
                > as ::mcp_runtime::__private::IntoToolResult>::output_schema(),
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
                    .into_parts("create-document");
                let __mcp_arg0 = __mcp_reader.take_all::<Args<NewDocument>>();
                if let ::core::result::Result::Err(__mcp_err) = __mcp_reader.finish() {
                    return __mcp_err;
                }
                let __mcp_out = create(::mcp_runtime::__private::checked(__mcp_arg0))
                    .await;
                <Json<
                    Document,
                > as ::mcp_runtime::__private::IntoToolResult>::into_tool_result(
                    __mcp_out,
                )
            })
        }
    }
};
