//! Log levels, as `logging/setLevel` and `notifications/message` name them.

use serde::Serialize;

/// The severity of a log message (RFC 5424 levels, as MCP names them), least severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)] // the names are the levels
pub enum LogLevel {
    Debug,
    Info,
    Notice,
    Warning,
    Error,
    Critical,
    Alert,
    Emergency,
}

impl LogLevel {
    /// Every level, least severe first.
    pub(crate) const ALL: [LogLevel; 8] = [
        LogLevel::Debug,
        LogLevel::Info,
        LogLevel::Notice,
        LogLevel::Warning,
        LogLevel::Error,
        LogLevel::Critical,
        LogLevel::Alert,
        LogLevel::Emergency,
    ];

    /// The level's name on the wire, such as `warning`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Notice => "notice",
            LogLevel::Warning => "warning",
            LogLevel::Error => "error",
            LogLevel::Critical => "critical",
            LogLevel::Alert => "alert",
            LogLevel::Emergency => "emergency",
        }
    }

    /// The level named `name`.
    pub(crate) fn from_name(name: &str) -> Option<LogLevel> {
        LogLevel::ALL.into_iter().find(|level| level.name() == name)
    }

    /// The level at `index` in [`LogLevel::ALL`] (its position in severity).
    pub(crate) fn from_index(index: u8) -> LogLevel {
        LogLevel::ALL
            .get(usize::from(index))
            .copied()
            .unwrap_or(LogLevel::Emergency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_follow_the_wire() {
        for level in LogLevel::ALL {
            assert_eq!(LogLevel::from_name(level.name()), Some(level));
            assert_eq!(
                serde_json::to_value(level).unwrap(),
                serde_json::Value::from(level.name())
            );
            assert_eq!(LogLevel::from_index(level as u8), level);
        }
        assert_eq!(LogLevel::from_name("verbose"), None);
    }
}
