//! Calls to other servers (the authorization server's keys and metadata, Auth0's token
//! endpoint): one way to build the client, bodies read with a cap.

use std::time::Duration;

use crate::error::Error;

/// An HTTP client whose every request, connection included, ends within `timeout`.
pub(crate) fn client(timeout: Duration) -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .build()
        .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
}

/// Why an upstream body could not be read.
pub(crate) enum ReadError {
    /// Larger than the limit: reading stopped there.
    TooLarge,
    /// The connection failed or timed out mid-body.
    Cut,
}

/// Reads an upstream response's body, chunk by chunk, stopping as soon as it exceeds `limit`
/// bytes, so that a lying or hostile server cannot make us buffer without end.
pub(crate) async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, ReadError> {
    if response
        .content_length()
        .is_some_and(|len| len > limit as u64)
    {
        return Err(ReadError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|_| ReadError::Cut)? {
        if body.len() + chunk.len() > limit {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
