//! README.md shows the programs a user writes: its flagship block is `examples/auth0_proxy.rs`
//! word for word, so the README cannot drift from the example that the end-to-end tests run.

#[test]
fn the_readme_shows_the_flagship_example_as_it_is() {
    let readme = include_str!("../README.md");
    let example = include_str!("../examples/auth0_proxy.rs");
    assert!(
        readme.contains(&format!("```rust,no_run\n{example}```")),
        "README.md's flagship block differs from examples/auth0_proxy.rs: copy the file into it"
    );
}
