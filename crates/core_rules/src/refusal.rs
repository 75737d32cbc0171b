//! Refusals: why a change was not made, in words the person who asked may read.
//!
//! A refusal is made of fixed words (a `&'static str` template) and of values that are safe to
//! show to whoever sent the request: numbers, dates, the codes of the domain's own kinds, and
//! what that person typed (`Typed`). There is no way to put a string read from the database
//! into one, so a name the viewer may not see (a member of another unit, a closed unit) cannot
//! reach a refusal by accident. To name something, code would have to wrap it in `Typed`, which
//! says in the code that the person typed it.
//!
//! An object outside the viewer's reach is never refused with a reason: it is "not found",
//! exactly like a missing one (the store's `NotFound`). A refusal is for what the viewer may
//! know: the form's own values, and rules that apply to them.
//!
//! The template and its values are kept apart, so that pages can show the refusal beside the
//! field it names (`field`) and, later, say it in the reader's language.

use std::fmt;

/// Why a change was refused; nothing was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    field: Option<&'static str>,
    template: &'static str,
    args: Vec<String>,
}

/// A value a refusal may show. Implemented for numbers, dates, fixed words and `Typed`; never
/// for `String` or `&str` of any lifetime but `'static`.
pub trait Shown {
    fn shown(&self) -> String;
}

/// What the person who sent the request typed, shown back to them (quoted, and cut short if
/// long). Wrap only the request's own values in it, never a value read from the database.
#[derive(Clone, Copy, Debug)]
pub struct Typed<'a>(pub &'a str);

/// The longest typed value shown back in a refusal, in characters.
const TYPED_SHOWN: usize = 60;
/// The longest rule message shown, in characters.
const RULE_SHOWN: usize = 400;

impl Shown for Typed<'_> {
    fn shown(&self) -> String {
        let mut chars = self.0.chars();
        let head: String = chars.by_ref().take(TYPED_SHOWN).collect();
        if chars.next().is_some() {
            format!("{:?}…", head)
        } else {
            format!("{head:?}")
        }
    }
}

/// A word of the organisation's own vocabulary, which everyone who sees the form may read: a
/// state of its motions, a kind of unit, a status. Never an identifier of a unit or a person,
/// and never a name.
#[derive(Clone, Copy, Debug)]
pub struct Word<'a>(pub &'a str);

impl Shown for Word<'_> {
    fn shown(&self) -> String {
        Typed(self.0).shown()
    }
}

/// A rule error's own message, as part of a refusal: "cannot be put to the vote: {}".
#[derive(Clone, Copy, Debug)]
pub struct Because<'a, E: RuleError>(pub &'a E);

impl<E: RuleError> Shown for Because<'_, E> {
    fn shown(&self) -> String {
        Refusal::rule(self.0).to_string()
    }
}

/// An amount of money in cents, shown as the organisation writes it.
#[derive(Clone, Copy, Debug)]
pub struct Money(pub i64);

impl Shown for Money {
    fn shown(&self) -> String {
        crate::import::format_money(self.0)
    }
}

macro_rules! shown_by_display {
    ($($t:ty),*) => {
        $(impl Shown for $t {
            fn shown(&self) -> String {
                self.to_string()
            }
        })*
    };
}

shown_by_display!(
    i64,
    i32,
    u64,
    u32,
    u16,
    u8,
    usize,
    crate::Day,
    crate::Month,
    &'static str
);

impl Refusal {
    /// A refusal of the whole request. `{}` in the template takes the next `arg`.
    pub fn new(template: &'static str) -> Refusal {
        Refusal {
            field: None,
            template,
            args: Vec::new(),
        }
    }

    /// A refusal of one form field (by its name in the form), to be shown beside it.
    pub fn on(field: &'static str, template: &'static str) -> Refusal {
        Refusal {
            field: Some(field),
            template,
            args: Vec::new(),
        }
    }

    /// The next value for a `{}` of the template.
    pub fn arg(mut self, value: impl Shown) -> Refusal {
        self.args.push(value.shown());
        self
    }

    /// A refusal from one of the domain's own rule errors (see `RuleError`).
    pub fn rule(e: &impl RuleError) -> Refusal {
        // A rule's message may quote what was typed: cut it short as `Typed` does.
        let text = e.to_string();
        let text = match text.char_indices().nth(RULE_SHOWN) {
            Some((at, _)) => format!("{}…", &text[..at]),
            None => text,
        };
        Refusal {
            field: None,
            template: "{}",
            args: vec![text],
        }
    }

    /// The same refusal, said of a form field.
    pub fn at(mut self, field: &'static str) -> Refusal {
        self.field = Some(field);
        self
    }

    pub fn field(&self) -> Option<&'static str> {
        self.field
    }

    pub fn template(&self) -> &'static str {
        self.template
    }

    pub fn args(&self) -> &[String] {
        &self.args
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut args = self.args.iter();
        let mut rest = self.template;
        while let Some(at) = rest.find("{}") {
            f.write_str(&rest[..at])?;
            match args.next() {
                Some(a) => f.write_str(a)?,
                None => f.write_str("{}")?,
            }
            rest = &rest[at + 2..];
        }
        f.write_str(rest)
    }
}

impl std::error::Error for Refusal {}

/// A rule error of the domain whose message is made only of numbers, dates, codes and the
/// values the request carried (never of names read from the database), so that it may be
/// shown as a refusal. Implementing it for a type is that promise; read the type's messages
/// before adding one.
pub trait RuleError: fmt::Display {}

impl<T: RuleError> From<T> for Refusal {
    fn from(e: T) -> Refusal {
        Refusal::rule(&e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_takes_its_values_in_order() {
        let r = Refusal::on("amount", "{} is more than {} allows")
            .arg(Typed("12.345"))
            .arg("the treasurer's form");
        assert_eq!(
            r.to_string(),
            "\"12.345\" is more than the treasurer's form allows"
        );
        assert_eq!(r.field(), Some("amount"));
    }

    #[test]
    fn a_long_typed_value_is_cut_short() {
        let long = "x".repeat(10_000);
        let shown = Refusal::new("{} is too long").arg(Typed(&long)).to_string();
        assert!(shown.len() < 100, "{shown}");
        assert!(shown.ends_with("… is too long"));
    }

    #[test]
    fn missing_values_leave_the_placeholder() {
        assert_eq!(Refusal::new("a {} b").to_string(), "a {} b");
    }
}
