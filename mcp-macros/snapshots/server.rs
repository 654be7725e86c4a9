struct Calculator;
impl ::mcp_runtime::McpServer for Calculator {
    type OAuth = ::mcp_runtime::oauth::NoAuth;
    fn info() -> ::mcp_runtime::__private::ServerInfo {
        ::mcp_runtime::__private::ServerInfo {
            name: "calculator",
            version: "1.0.0",
            title: ::core::option::Option::None,
            instructions: ::core::option::Option::None,
            icons: &[],
            permissions: &[],
            permission_descriptions: &[],
            on_denied: ::mcp_runtime::__private::Denial::ToolError,
        }
    }
    fn tools() -> ::mcp_runtime::__private::ToolSet<Self> {
        let mut __mcp_tools = ::mcp_runtime::__private::ToolSet::new();
        __mcp_tools.push::<add>();
        __mcp_tools.push::<ops::sub>();
        __mcp_tools
    }
}
add!(@ none);
ops::sub!(@ none);
const _: () = ::core::assert!(
    ! ::mcp_runtime::__private::str_eq(< add as ::mcp_runtime::__private::ToolMeta >
    ::NAME, < ops::sub as ::mcp_runtime::__private::ToolMeta > ::NAME),
    "duplicate tool name: another tool in this server has the same name"
);
