//! Multi-round-trip input (2026-07-28, SEP-2322): a request that needs the client's model,
//! user or roots ends with an `InputRequiredResult`, and is run again when the client comes
//! back with its answers. A round keeps what is known (answers) and what is asked.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Mutex;

use serde_json::{Map, Value, json};

use super::peer::Cancel;

/// One round of a request's input.
pub(crate) struct InputRound {
    /// The answers known: from earlier rounds (the request state) and from this request's
    /// `inputResponses`, by key.
    answers: Map<String, Value>,
    /// What this round asks the client for, by key.
    asked: Mutex<Map<String, Value>>,
    /// A capability the call needs and the client did not declare.
    missing: Mutex<Option<String>>,
    /// Raised when the call cannot go on without the client.
    suspended: Cancel,
    /// How many input requests of each kind the call made so far: the default keys follow
    /// the order.
    made: Mutex<HashMap<String, usize>>,
}

impl InputRound {
    pub(crate) fn new(answers: Map<String, Value>) -> Self {
        InputRound {
            answers,
            asked: Mutex::new(Map::new()),
            missing: Mutex::new(None),
            suspended: Cancel::default(),
            made: Mutex::new(HashMap::new()),
        }
    }

    /// The key of the next input request of `kind` (`elicitation`, `sampling`, `roots`): the
    /// same on every round, since the call runs the same way up to where it asks.
    pub(crate) fn next_key(&self, kind: &str) -> String {
        let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        let n = made.entry(kind.to_owned()).or_insert(0);
        *n += 1;
        format!("{kind}-{n}")
    }

    /// The client's answer under `key`, or, when there is none yet, records the request
    /// (`method` with `params`) and suspends the call: this future then never resolves, and
    /// the request ends with an `InputRequiredResult`.
    pub(crate) async fn ask(&self, key: String, method: &str, params: Value) -> Value {
        if let Some(answer) = self.answers.get(&key) {
            return answer.clone();
        }
        self.asked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, json!({"method": method, "params": params}));
        self.suspended.cancel();
        std::future::pending().await
    }

    /// Suspends the call because it needs `capability`, which the client did not declare:
    /// this future never resolves, and the request ends with the missing-capability error.
    pub(crate) async fn require(&self, capability: &str) -> Infallible {
        *self.missing.lock().unwrap_or_else(|e| e.into_inner()) = Some(capability.to_owned());
        self.suspended.cancel();
        std::future::pending().await
    }

    /// Resolves when the call is suspended.
    pub(crate) async fn suspended(&self) {
        self.suspended.cancelled().await;
    }

    /// The capability that was missing, if that is why the call was suspended.
    pub(crate) fn missing(&self) -> Option<String> {
        self.missing
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// What this round asked for.
    pub(crate) fn asked(&self) -> Map<String, Value> {
        self.asked.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Every answer known, for the next round's state.
    pub(crate) fn answers(&self) -> &Map<String, Value> {
        &self.answers
    }
}
