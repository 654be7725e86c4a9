//! What the store's calls answer, for every backend: why an item was not kept or not taken,
//! and the lifetime of single-use items.

use std::time::Duration;

/// How long a pending authorization, a consent form or an issued code stays valid.
pub(crate) const LIFETIME: Duration = Duration::from_secs(600);

/// The store did not answer in time, or answered with an error: the request that needed it
/// fails closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unavailable;

/// Why a single-use item was not kept.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PutError {
    /// The store is full of live items, in number or in bytes, or of this address's share.
    Full,
    /// The store cannot be reached.
    Unavailable,
}

/// Why [`SingleUse::take`] gave nothing.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TakeError {
    /// No such item, it expired, or it was taken already.
    Missing,
    /// The item is there but its guard is not this request's; it stays.
    Refused,
    /// The store cannot be reached.
    Unavailable,
}

impl From<Unavailable> for TakeError {
    fn from(_: Unavailable) -> Self {
        TakeError::Unavailable
    }
}

impl From<Unavailable> for PutError {
    fn from(_: Unavailable) -> Self {
        PutError::Unavailable
    }
}
