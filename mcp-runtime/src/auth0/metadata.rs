//! `oauth = auth0`: the tenant's authorization server metadata, mirrored on this server's
//! origin for clients that look for it there. Cached; an outage is a prompt 502 with a reason.
//! (Readable from any origin: the routes that serve it add CORS.)

use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::observe;
use crate::web::response::JsonBody;
use crate::web::upstream::{ReadError, read_capped};

const TTL: Duration = Duration::from_secs(600);

pub(crate) struct MetadataMirror {
    url: String,
    client: reqwest::Client,
    cached: Mutex<Option<(Instant, Value)>>,
    fetching: tokio::sync::Mutex<()>,
}

impl MetadataMirror {
    /// A mirror of the document at `url`, fetched with `client` when first asked for.
    pub(crate) fn new(url: String, client: reqwest::Client) -> Self {
        MetadataMirror {
            url,
            client,
            cached: Mutex::new(None),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    fn fresh(&self) -> Option<Value> {
        let cached = self.cached.lock().unwrap_or_else(|e| e.into_inner());
        cached
            .as_ref()
            .filter(|(at, _)| at.elapsed() < TTL)
            .map(|(_, doc)| doc.clone())
    }

    /// The tenant's metadata document, or a 502 that says why it cannot be had.
    pub(crate) async fn response(&self) -> Response {
        if let Some(document) = self.fresh() {
            return json_ok(&document);
        }
        let _guard = self.fetching.lock().await;
        if let Some(document) = self.fresh() {
            return json_ok(&document);
        }
        match self.fetch().await {
            Ok(document) => {
                *self.cached.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some((Instant::now(), document.clone()));
                json_ok(&document)
            }
            Err(why) => {
                tracing::warn!(url = %self.url, "cannot mirror the Auth0 metadata: {why}");
                // A stale copy is better than none.
                if let Some((_, document)) = &*self.cached.lock().unwrap_or_else(|e| e.into_inner())
                {
                    return json_ok(document);
                }
                let body = json!({"error": "bad_gateway", "error_description": format!("cannot reach the Auth0 tenant: {why}")});
                JsonBody::new(StatusCode::BAD_GATEWAY, &body).into_response()
            }
        }
    }

    async fn fetch(&self) -> Result<Value, String> {
        let sent = observe::upstream(
            "auth0_metadata",
            &self.url,
            observe::http_ok,
            self.client.get(&self.url).send(),
        );
        let response = sent.await.map_err(|e| {
            if e.is_timeout() {
                "it did not answer in time".to_owned()
            } else {
                "it is unreachable".to_owned()
            }
        })?;
        if !response.status().is_success() {
            return Err(format!("it answered {}", response.status()));
        }
        let bytes = read_capped(response, 1 << 20)
            .await
            .map_err(|err| match err {
                ReadError::TooLarge => "its metadata is too large".to_owned(),
                ReadError::Cut => "the answer was cut short".to_owned(),
            })?;
        let document: Value =
            serde_json::from_slice(&bytes).map_err(|_| "its metadata is not JSON".to_owned())?;
        if !document.is_object() {
            return Err("its metadata is not a JSON object".into());
        }
        Ok(document)
    }
}

fn json_ok(document: &Value) -> Response {
    JsonBody::ok(document).into_response()
}
