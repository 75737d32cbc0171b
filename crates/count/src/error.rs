//! Errors: a parse error always names its line and the reason.

use thiserror::Error;

/// Bad input: the (1-based) line where it was found, and why it is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}: {reason}")]
pub struct ParseError {
    pub line: usize,
    pub reason: String,
}

impl ParseError {
    pub fn new(line: usize, reason: impl Into<String>) -> Self {
        ParseError {
            line,
            reason: reason.into(),
        }
    }
}

/// A count that cannot be carried out as asked.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CountError {
    #[error("parse error: {0}")]
    Parse(#[from] ParseError),
    #[error("the number of seats must be at least 1")]
    NoSeats,
    #[error("there are no candidates")]
    NoCandidates,
    #[error("{0} does not allow equal rankings (ballot {1})")]
    EqualRankings(&'static str, usize),
    #[error("invalid input: {0}")]
    Invalid(String),
    #[error("arithmetic overflow: {0}")]
    Overflow(&'static str),
}
