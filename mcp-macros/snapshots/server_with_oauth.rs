struct Docs;
impl ::mcp_runtime::McpServer for Docs {
    type OAuth = ::mcp_runtime::oauth::Jwt;
    fn info() -> ::mcp_runtime::__private::ServerInfo {
        ::mcp_runtime::__private::ServerInfo {
            name: ::core::env!("CARGO_PKG_NAME"),
            version: ::core::env!("CARGO_PKG_VERSION"),
            title: ::core::option::Option::None,
            instructions: ::core::option::Option::None,
            icons: &[],
            permissions: perms::__mcp_vocabulary::ALL,
            permission_descriptions: perms::__mcp_vocabulary::DESCRIPTIONS,
            on_denied: ::mcp_runtime::__private::Denial::Hide,
        }
    }
    fn tools() -> ::mcp_runtime::__private::ToolSet<Self> {
        let mut __mcp_tools = ::mcp_runtime::__private::ToolSet::new();
        __mcp_tools.push::<delete_document>();
        __mcp_tools
    }
}
delete_document!(@ oauth[perms]);
