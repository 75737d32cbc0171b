//! An article's workflow: draft → edited → approved → published.
//!
//! Each step goes forward by one; an editor may also send an article back to draft from edited or
//! approved. A published article is final: a correction is a new article.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ArticleState {
    Draft,
    Edited,
    Approved,
    Published,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WorkflowError {
    #[error("an article cannot go from {from} to {to}")]
    NotAllowed {
        from: ArticleState,
        to: ArticleState,
    },
    #[error("{0:?} is not an article state (draft, edited, approved, published)")]
    Unknown(String),
    #[error("an article is published with its edition: give it an edition first")]
    NoEdition,
}

// Its messages carry numbers, codes and the request's own text, never a name read from the
// database.
impl crate::refusal::RuleError for WorkflowError {}

impl ArticleState {
    pub const ALL: [ArticleState; 4] = [
        ArticleState::Draft,
        ArticleState::Edited,
        ArticleState::Approved,
        ArticleState::Published,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ArticleState::Draft => "draft",
            ArticleState::Edited => "edited",
            ArticleState::Approved => "approved",
            ArticleState::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Result<ArticleState, WorkflowError> {
        ArticleState::ALL
            .into_iter()
            .find(|a| a.code() == s)
            .ok_or_else(|| WorkflowError::Unknown(s.to_string()))
    }

    /// The state that comes next, if any.
    pub fn next(self) -> Option<ArticleState> {
        match self {
            ArticleState::Draft => Some(ArticleState::Edited),
            ArticleState::Edited => Some(ArticleState::Approved),
            ArticleState::Approved => Some(ArticleState::Published),
            ArticleState::Published => None,
        }
    }

    /// Checks a move from `self` to `to`. `has_edition` says whether the article belongs to an
    /// edition (needed to publish it).
    pub fn move_to(
        self,
        to: ArticleState,
        has_edition: bool,
    ) -> Result<ArticleState, WorkflowError> {
        let forward = self.next() == Some(to);
        let back = to == ArticleState::Draft
            && matches!(self, ArticleState::Edited | ArticleState::Approved);
        if !(forward || back) {
            return Err(WorkflowError::NotAllowed { from: self, to });
        }
        if to == ArticleState::Published && !has_edition {
            return Err(WorkflowError::NoEdition);
        }
        Ok(to)
    }
}

impl fmt::Display for ArticleState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::ArticleState::*;
    use super::*;

    #[test]
    fn forward_one_step_at_a_time() {
        assert_eq!(Draft.move_to(Edited, false), Ok(Edited));
        assert_eq!(Edited.move_to(Approved, false), Ok(Approved));
        assert_eq!(Approved.move_to(Published, true), Ok(Published));
        assert_eq!(
            Draft.move_to(Published, true),
            Err(WorkflowError::NotAllowed {
                from: Draft,
                to: Published
            })
        );
        assert_eq!(
            Draft.move_to(Approved, true),
            Err(WorkflowError::NotAllowed {
                from: Draft,
                to: Approved
            })
        );
    }

    #[test]
    fn back_to_draft_but_never_from_published() {
        assert_eq!(Edited.move_to(Draft, false), Ok(Draft));
        assert_eq!(Approved.move_to(Draft, false), Ok(Draft));
        assert!(Published.move_to(Draft, true).is_err());
        assert!(Published.move_to(Approved, true).is_err());
        assert!(Draft.move_to(Draft, true).is_err());
    }

    #[test]
    fn publishing_needs_an_edition() {
        assert_eq!(
            Approved.move_to(Published, false),
            Err(WorkflowError::NoEdition)
        );
    }

    #[test]
    fn codes_round_trip() {
        for s in ArticleState::ALL {
            assert_eq!(ArticleState::parse(s.code()), Ok(s));
        }
        assert!(ArticleState::parse("killed").is_err());
    }
}
