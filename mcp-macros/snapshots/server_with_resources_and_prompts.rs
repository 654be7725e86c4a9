struct Docs;
impl ::mcp_runtime::McpServer for Docs {
    type OAuth = ::mcp_runtime::oauth::NoAuth;
    fn info() -> ::mcp_runtime::__private::ServerInfo {
        ::mcp_runtime::__private::ServerInfo {
            name: "docs",
            version: ::core::env!("CARGO_PKG_VERSION"),
            title: ::core::option::Option::None,
            instructions: ::core::option::Option::None,
            icons: &[
                ::mcp_runtime::__private::Icon {
                    src: "https://example.com/docs.png",
                    mime_type: ::core::option::Option::None,
                    sizes: &[],
                    theme: ::core::option::Option::Some("dark"),
                },
            ],
            permissions: &[],
            permission_descriptions: &[],
            on_denied: ::mcp_runtime::__private::Denial::ToolError,
        }
    }
    fn tools() -> ::mcp_runtime::__private::ToolSet<Self> {
        let mut __mcp_tools = ::mcp_runtime::__private::ToolSet::new();
        __mcp_tools
    }
    fn resources() -> ::mcp_runtime::__private::ResourceSet<Self> {
        let mut __mcp_resources = ::mcp_runtime::__private::ResourceSet::new();
        __mcp_resources.push::<readme>();
        __mcp_resources.push::<docs::document>();
        __mcp_resources
    }
    fn prompts() -> ::mcp_runtime::__private::PromptSet<Self> {
        let mut __mcp_prompts = ::mcp_runtime::__private::PromptSet::new();
        __mcp_prompts.push::<summarize>();
        __mcp_prompts
    }
}
readme!(@ none);
docs::document!(@ none);
summarize!(@ none);
const _: () = ::core::assert!(
    ! ::mcp_runtime::__private::str_eq(< readme as ::mcp_runtime::__private::ResourceMeta
    > ::URI, < docs::document as ::mcp_runtime::__private::ResourceMeta > ::URI),
    "duplicate resource URI: another resource in this server has the same URI"
);
const _: () = ::core::assert!(
    ! ::mcp_runtime::__private::str_eq(< readme as ::mcp_runtime::__private::ResourceMeta
    > ::NAME, < docs::document as ::mcp_runtime::__private::ResourceMeta > ::NAME),
    "duplicate resource name: another resource in this server has the same name"
);
