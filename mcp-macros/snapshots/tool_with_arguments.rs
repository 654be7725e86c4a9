/// Add two numbers.
async fn add(a: i64, b: Option<i64>) -> String {
    (a + b.unwrap_or(0)).to_string()
}
#[doc(hidden)]
#[allow(unused_macros)]
macro_rules! __mcp_tool_add {
    (@ none) => {};
    (@ oauth[$($vocabulary:tt)*]) => {
        ::core::compile_error!("this tool is served with OAuth but says nothing about who may call it: add `requires = \"permission\"` (or `requires_any = [...]`) to guard it, `authenticated` to let any signed-in caller call it, or `public` to let anyone call it");
    };
}
#[doc(hidden)]
#[allow(unused_imports)]
use __mcp_tool_add as add;
///The MCP tool `add`, defined by the function [`add()`]: name it in `#[mcp_server(tools = [...])]` to serve it.
#[allow(non_camel_case_types)]
struct add {}
const _: () = {
    impl ::mcp_runtime::__private::ToolMeta for add {
        const NAME: &'static str = "add";
        const REQUIRES: ::mcp_runtime::__private::Requirement = ::mcp_runtime::__private::Requirement::Unstated;
        const ON_DENIED: ::core::option::Option<::mcp_runtime::__private::Denial> = ::core::option::Option::None;
    }
    impl<
        S: ::core::marker::Send + ::core::marker::Sync + 'static,
    > ::mcp_runtime::__private::ToolHandler<S> for add {
        fn descriptor() -> ::mcp_runtime::__private::ToolDescriptor {
            let mut __mcp_gen = ::mcp_runtime::__private::schema_generator(true);
            let mut __mcp_schema = ::mcp_runtime::__private::InputSchema::new(
                &mut __mcp_gen,
            );
            __mcp_schema
                .arg::<
                    i64,
                >("a", ::core::option::Option::Some("The first addend."), true);
            __mcp_schema
                .arg::<
                    Option<i64>,
                >("b", ::core::option::Option::Some("The second addend."), false);
            let __mcp_input = __mcp_schema.finish();
            ::mcp_runtime::__private::ToolDescriptor {
                name: "add",
                title: ::core::option::Option::Some("Add"),
                description: ::core::option::Option::Some("Add two numbers."),
                input_schema: __mcp_input,
                output_schema: <String as ::mcp_runtime::__private::IntoToolResult>::output_schema(),
                annotations: ::mcp_runtime::__private::ToolAnnotations {
                    title: ::core::option::Option::Some("Add"),
                    read_only_hint: ::core::option::Option::Some(true),
                    destructive_hint: ::core::option::Option::None,
                    idempotent_hint: ::core::option::Option::Some(true),
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
                let (mut __mcp_reader, __mcp_ctx) = __mcp_call.into_parts("add");
                let __mcp_arg0 = __mcp_reader.take::<i64>("a", true);
                let __mcp_arg1 = __mcp_reader.take::<Option<i64>>("b", false);
                if let ::core::result::Result::Err(__mcp_err) = __mcp_reader.finish() {
                    return __mcp_err;
                }
                let __mcp_out = add(
                        ::mcp_runtime::__private::checked(__mcp_arg0),
                        ::mcp_runtime::__private::checked(__mcp_arg1),
                    )
                    .await;
                <String as ::mcp_runtime::__private::IntoToolResult>::into_tool_result(
                    __mcp_out,
                )
            })
        }
    }
};
