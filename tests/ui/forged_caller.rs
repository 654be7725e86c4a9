// `Granted::check` gives a proof only for a caller, and only the token verifier (and, in
// tests, `mcp_runtime::testing::auth`) makes one: `Auth` has private fields, a private
// constructor, and no default.
use mcp_runtime::Auth;

fn main() {
    let literal = Auth { user: Default::default() };
    let from_claims = Auth::from_claims(Default::default());
    let by_default = Auth::default();
    let _ = (literal, from_claims, by_default);
}
