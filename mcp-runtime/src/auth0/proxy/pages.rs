//! The pages of the proxy that a person sees: the consent page and the error page.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::web::html::escape;
use crate::web::response::HtmlPage;

/// A sign-in that cannot go on, explained to the person in the browser.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    HtmlPage::message(status, "Sign-in failed", message).into_response()
}

/// What the consent page shows.
pub(crate) struct Consent<'a> {
    pub(crate) server_name: &'a str,
    /// The client's name, as it registered it.
    pub(crate) client_name: Option<&'a str>,
    /// For a client with a metadata document, the host it comes from (verified).
    pub(crate) document_host: Option<&'a str>,
    pub(crate) redirect_uri: &'a str,
    /// The requested scope, as the client sent it.
    pub(crate) scope: &'a str,
    /// Where the form posts.
    pub(crate) action: &'a str,
    pub(crate) txn: &'a str,
    pub(crate) csrf: &'a str,
}

/// The consent page: Allow or Deny, for this client and redirect URI.
pub(crate) fn consent(page: &Consent<'_>) -> Response {
    let server = escape(page.server_name);
    let name = escape(page.client_name.unwrap_or("An unnamed application"));
    let scope = if page.scope.is_empty() {
        "(default)"
    } else {
        page.scope
    };
    let body = format!(
        r#"<h1>Allow <em>{name}</em> to use {server}?</h1>
<p>The application <strong>{name}</strong> (the name is the application's own claim) asks to act on your behalf on <strong>{server}</strong>.</p>{origin}
<p>After you sign in, you will be sent back to:<br><code>{redirect}</code></p>
<p>Requested access: <code>{scope}</code></p>
<p>Only continue if you started this sign-in yourself and trust this application.</p>
<form method="post" action="{action}">
<input type="hidden" name="txn" value="{txn}">
<input type="hidden" name="csrf" value="{csrf}">
<button type="submit" name="decision" value="approve">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>"#,
        origin = page.document_host.map_or(String::new(), |host| format!(
            "<p>Its description comes from <strong>{}</strong>, verified by this server.</p>",
            escape(host)
        )),
        redirect = escape(page.redirect_uri),
        scope = escape(scope),
        action = escape(page.action),
        txn = escape(page.txn),
        csrf = escape(page.csrf),
    );
    HtmlPage::new(
        StatusCode::OK,
        &format!("Allow access to {}?", page.server_name),
        body,
    )
    .into_response()
}
