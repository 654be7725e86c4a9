//! Parameters of a tool that are not single arguments: all arguments as one type, and shared
//! state from the server.

/// All of a tool's arguments as one type: `async fn create(input: Args<NewDocument>)`.
///
/// `T` derives `Deserialize` and `JsonSchema`; its schema is the tool's input schema.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Args<T>(pub T);

impl<T> std::ops::Deref for Args<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Shared application state, taken from the server: `async fn f(db: State<Db>)`.
///
/// The server struct provides it through [`FromRef`]: a server struct that is itself
/// `Clone` provides `State<Self>`; for a field, implement `FromRef<Server> for Field`.
#[derive(Debug, Clone, Copy, Default)]
pub struct State<T>(pub T);

impl<T> std::ops::Deref for State<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Extracts a piece of state from the server struct (the same trait as axum's).
pub use axum::extract::FromRef;
