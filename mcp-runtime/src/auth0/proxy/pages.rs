//! The pages of the proxy that a person sees: the consent page and the error page.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::web::html::Html;
use crate::web::response::HtmlPage;
use crate::web::url::is_loopback;

/// A sign-in that cannot go on, explained to the person in the browser.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    HtmlPage::message(status, "Sign-in failed", message).into_response()
}

/// A request from an application that cannot go on: what the person can do (`message`), and
/// below it, marked for the application's developer, what was wrong (`detail`).
pub(crate) fn refused(status: StatusCode, message: &str, detail: &str) -> Response {
    let mut html = Html::new();
    html.raw("<h1>Sign-in failed</h1>\n<p>")
        .text(message)
        .raw("</p>\n<p class=\"muted\">For the application's developer: ")
        .text(detail)
        .raw("</p>");
    HtmlPage::new(status, "Sign-in failed", html).into_response()
}

/// What a person can do about a request their application got wrong.
pub(crate) const GO_BACK: &str = "The application you came from sent a sign-in request this server cannot accept. Go back to it and connect again; if this keeps happening, tell its developer.";

/// What a person can do when this server does not know their application.
pub(crate) const UNKNOWN_APPLICATION: &str = "This server does not know the application you came from: it may have been set up for another server, or before this server was restarted. Go back to the application and connect again, so that it registers anew.";

/// What the standard OpenID Connect scopes mean, for the consent page.
fn sign_in_scope(scope: &str) -> &'static str {
    match scope {
        "openid" => "Sign you in",
        "profile" => "Your name, nickname and picture",
        "email" => "Your email address",
        "offline_access" => "Stay signed in (the application gets a refresh token)",
        _ => "",
    }
}

/// What the consent page shows.
pub(crate) struct Consent<'a> {
    pub(crate) server_name: &'a str,
    /// The client's name, as it registered it.
    pub(crate) client_name: Option<&'a str>,
    /// For a client with a metadata document, the host it comes from (verified).
    pub(crate) document_host: Option<&'a str>,
    pub(crate) redirect_uri: &'a str,
    /// The scopes asked of Auth0 (the sign-in's and the client's), each with what it means
    /// (empty when the vocabulary does not say).
    pub(crate) scopes: Vec<(&'a str, &'a str)>,
    /// Where the form posts.
    pub(crate) action: &'a str,
    pub(crate) txn: &'a str,
    pub(crate) csrf: &'a str,
}

/// The consent page: Allow or Deny, for this client and redirect URI.
pub(crate) fn consent(page: &Consent<'_>) -> Response {
    let name = page.client_name.unwrap_or("An unnamed application");
    let mut html = Html::new();
    html.raw("<h1>Allow <em>")
        .text(name)
        .raw("</em> to use ")
        .text(page.server_name)
        .raw("?</h1>\n<p>The application <strong>")
        .text(name)
        .raw("</strong> asks to act on your behalf on <strong>")
        .text(page.server_name)
        .raw("</strong>. <span class=\"muted\">This name is what the application says of itself; this server cannot check it.</span></p>\n");
    if let Some(host) = page.document_host {
        html.raw("<p>Its description was fetched from <strong>")
            .text(host)
            .raw("</strong>, which this server verified.</p>\n");
    }
    html.raw("<p>After you sign in, you will be sent back to ");
    // What the browser will really open: the parsed URL (a host in punycode), not the string
    // the client registered, which may read otherwise.
    match reqwest::Url::parse(page.redirect_uri) {
        Ok(url) => {
            let host = url.host_str().unwrap_or_default();
            if is_loopback(host.trim_matches(['[', ']'])) {
                html.raw("an application on this computer: ");
            } else {
                html.raw("<strong class=\"warn\">")
                    .text(host)
                    .raw("</strong>: ");
            }
            html.raw("<code>")
                .text(url.scheme())
                .raw("://<strong>")
                .text(host)
                .raw("</strong>");
            if let Some(port) = url.port() {
                html.raw(":").text(&port.to_string());
            }
            html.text(url.path());
            if let Some(query) = url.query() {
                html.raw("?").text(query);
            }
            html.raw("</code></p>\n");
        }
        Err(_) => {
            html.raw("<code>")
                .text(page.redirect_uri)
                .raw("</code></p>\n");
        }
    }
    html.raw("<p>It asks for:</p>\n<ul class=\"scopes\">");
    for (scope, description) in &page.scopes {
        let description = match *description {
            "" => sign_in_scope(scope),
            described => described,
        };
        html.raw("<li>");
        if description.is_empty() {
            html.raw("<code>").text(scope).raw("</code>");
        } else {
            html.text(description)
                .raw(" <span class=\"muted\">(<code>")
                .text(scope)
                .raw("</code>)</span>");
        }
        html.raw("</li>");
    }
    html.raw("</ul>\n<p class=\"muted\">Only allow this if you started this sign-in yourself and trust this application.</p>\n<form method=\"post\" action=\"")
        .text(page.action)
        .raw("\">\n<input type=\"hidden\" name=\"txn\" value=\"")
        .text(page.txn)
        .raw("\">\n<input type=\"hidden\" name=\"csrf\" value=\"")
        .text(page.csrf)
        .raw("\">\n<div class=\"actions\"><button class=\"primary\" type=\"submit\" name=\"decision\" value=\"approve\" autofocus>Allow</button>\n<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></div>\n</form>");
    HtmlPage::new(
        StatusCode::OK,
        &format!("Allow access to {}?", page.server_name),
        html,
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn page_for(redirect_uri: &str) -> String {
        let response = consent(&Consent {
            server_name: "docs",
            client_name: Some("App"),
            document_host: None,
            redirect_uri,
            scopes: vec![("openid", ""), ("read:data", "Read data.")],
            action: "/authorize/consent",
            txn: "t",
            csrf: "c",
        });
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn the_consent_page_shows_where_the_browser_really_goes() {
        // Written otherwise than it parses (only a metadata document or an old registration
        // could carry it): the page shows the parsed URL, host in punycode and highlighted.
        let page = page_for("https://B\u{fc}cher.EXAMPLE:443/cb?x=1").await;
        assert!(
            page.contains("<strong class=\"warn\">xn--bcher-kva.example</strong>: <code>https://<strong>xn--bcher-kva.example</strong>/cb?x=1</code>"),
            "{page}"
        );
        let page = page_for("http://127.0.0.1:6274/oauth/callback").await;
        assert!(
            page.contains("an application on this computer: <code>http://<strong>127.0.0.1</strong>:6274/oauth/callback</code>"),
            "{page}"
        );
        // Every scope asked, the sign-in's in words.
        assert!(page.contains("Sign you in"), "{page}");
        assert!(page.contains("Read data."), "{page}");
    }
}
