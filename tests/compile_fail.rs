//! Mistakes in `#[tool]` and `#[mcp_server]` are compile errors on the user's token.
//! One mistake per file in `tests/ui`; the expected errors are the committed `.stderr` files.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
