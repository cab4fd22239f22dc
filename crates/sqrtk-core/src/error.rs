//! Errors with stable codes. Validation returns these; a panic is always a bug.

use core::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// Stable code, mapped to a typed error in TypeScript (`E_OPTION`, `E_DATA`, `E_STATE`).
    pub code: &'static str,
    pub message: String,
}

impl Error {
    /// `option (=value) rule; fix` — the message format of every option error.
    pub fn option(option: &str, value: impl fmt::Display, rule: &str, fix: &str) -> Error {
        Error { code: "E_OPTION", message: format!("{option} (={value}) {rule}; {fix}") }
    }

    pub fn data(message: impl Into<String>) -> Error {
        Error { code: "E_DATA", message: message.into() }
    }

    pub fn state(message: impl Into<String>) -> Error {
        Error { code: "E_STATE", message: message.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}
