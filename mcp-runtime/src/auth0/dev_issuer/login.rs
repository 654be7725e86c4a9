//! The development issuer's `/authorize`: a login page to pick a test user, and the code it
//! hands back.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::state::{Grant, Issuer, OIDC_SCOPES, USERS, lock};
use crate::web::form;
use crate::web::html::Html;
use crate::web::random::random_token;
use crate::web::response::{HtmlPage, Redirect};

const TITLE: &str = "Development sign-in";

/// `GET /authorize`: the login page.
pub(crate) async fn page(State(issuer): State<Arc<Issuer>>, RawQuery(query): RawQuery) -> Response {
    let params = form::parse(query.unwrap_or_default().as_bytes());
    if let Err(why) = issuer.check_request(&params) {
        return HtmlPage::message(StatusCode::BAD_REQUEST, "Invalid request", &why).into_response();
    }
    let mut body = Html::new();
    body.raw("<h1>Development sign-in</h1>\n<p>This is the built-in <strong>development issuer</strong>, standing in for Auth0. Anyone can sign in as anyone: never use it in production.</p>\n<p>Pick a test user:</p>\n<form method=\"post\" action=\"")
        .text(&format!("{}/authorize", issuer.base))
        .raw("\">\n");
    for (k, v) in params.iter() {
        body.raw("<input type=\"hidden\" name=\"")
            .text(k)
            .raw("\" value=\"")
            .text(v)
            .raw("\">\n");
    }
    body.raw("<div class=\"actions\">");
    for (i, user) in USERS.iter().enumerate() {
        body.raw(if i == 0 {
            "<button class=\"primary\" type=\"submit\" name=\"username\" autofocus value=\""
        } else {
            "<button type=\"submit\" name=\"username\" value=\""
        })
        .text(user.name)
        .raw("\">")
        .text(user.display)
        .raw(" <span class=\"muted\">(")
        .text(&user.permissions.join(", "))
        .raw(")</span></button>\n");
    }
    body.raw("</div>\n</form>");
    HtmlPage::new(StatusCode::OK, TITLE, body).into_response()
}

/// `POST /authorize`: the user picked; back to the client with a code.
pub(crate) async fn login(State(issuer): State<Arc<Issuer>>, body: Bytes) -> Response {
    let params = form::parse(&body);
    if let Err(why) = issuer.check_request(&params) {
        return HtmlPage::message(StatusCode::BAD_REQUEST, "Invalid request", &why).into_response();
    }
    let Some(user) = params
        .get("username")
        .and_then(|name| USERS.iter().find(|u| u.name == name))
    else {
        return HtmlPage::message(
            StatusCode::BAD_REQUEST,
            "Unknown user",
            "Pick one of the test users.",
        )
        .into_response();
    };
    let code = random_token(24);
    // As Auth0 does with RBAC enforced: API scopes are granted only to users who hold them.
    let scope: Vec<&str> = params
        .get("scope")
        .map(String::as_str)
        .unwrap_or_default()
        .split(' ')
        .filter(|s| OIDC_SCOPES.contains(s) || user.permissions.contains(s))
        .collect();
    let grant = Grant {
        user,
        client_id: params["client_id"].clone(),
        redirect_uri: params["redirect_uri"].clone(),
        code_challenge: params["code_challenge"].clone(),
        scope: scope.join(" "),
        issued: Instant::now(),
    };
    lock(&issuer.codes).insert(code.clone(), grant);
    let mut location = params["redirect_uri"].clone();
    location.push(if location.contains('?') { '&' } else { '?' });
    let mut pairs = vec![("code", code.as_str())];
    if let Some(state) = params.get("state") {
        pairs.push(("state", state));
    }
    location.push_str(&form::encode(pairs));
    Redirect::to(location).into_response()
}
