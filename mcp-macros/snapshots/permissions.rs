/// The vocabulary.
pub mod perms {
    /// Read data.
    ///
    ///Grants `read:data`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum ReadData {}
    impl ::mcp_runtime::Permission for ReadData {
        const NAME: &'static str = "read:data";
    }
    /// What `#[mcp_server(permissions = ...)]` and `#[tool(requires = ...)]` check against.
    #[doc(hidden)]
    pub mod __mcp_vocabulary {
        #[allow(non_upper_case_globals)]
        pub const p_read_3a_data: () = ();
        /// Every permission of the vocabulary, in declaration order.
        pub const ALL: &[&str] = &["read:data"];
        /// What each means, from its doc comment, in the same order.
        pub const DESCRIPTIONS: &[&str] = &["Read data."];
    }
}
