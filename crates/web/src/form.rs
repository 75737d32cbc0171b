//! Reading `application/x-www-form-urlencoded` bodies, where a field may repeat (checkboxes).

use crate::error::AppError;
use core_rules::text::Limit;
use core_rules::{Because, Refusal, Typed};
use core_rules::{Day, Month};

pub struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> FormData {
        FormData(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
    }

    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or("").to_string()
    }

    /// The field a text bound names, checked against the bound (empty when missing): what a
    /// user typed is refused here, at the edge, before anything else is read or written.
    pub fn bounded(&self, limit: &Limit) -> Result<String, AppError> {
        Ok(limit
            .check(self.get(limit.field).unwrap_or(""))?
            .to_string())
    }

    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The field's value, refused when missing or empty. `label` names the field as the form
    /// does ("The amount").
    pub fn required(&self, name: &'static str, label: &'static str) -> Result<&str, AppError> {
        self.get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Refusal::on(name, "{} is missing").arg(label).into())
    }

    pub fn day(&self, name: &'static str, label: &'static str) -> Result<Day, AppError> {
        let v = self.required(name, label)?;
        Day::parse(v).map_err(|e| {
            Refusal::on(name, "{}: {}")
                .arg(label)
                .arg(Because(&e))
                .into()
        })
    }

    pub fn month(&self, name: &'static str, label: &'static str) -> Result<Month, AppError> {
        let v = self.required(name, label)?;
        Month::parse(v).map_err(|e| {
            Refusal::on(name, "{}: {}")
                .arg(label)
                .arg(Because(&e))
                .into()
        })
    }

    pub fn id(&self, name: &'static str, label: &'static str) -> Result<i64, AppError> {
        let v = self.required(name, label)?;
        v.parse().map_err(|_| {
            Refusal::on(name, "{}: {} is not a number")
                .arg(label)
                .arg(Typed(v))
                .into()
        })
    }
}

/// The actions a page's forms post as `do=`, as an enum: the page writes a variant's code and
/// the handler matches on the variant, so a form and its handler cannot drift apart on a
/// misspelt string, and an action no form offers is refused as unknown, naming what was typed.
macro_rules! form_actions {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name { $($variant),+ }

        impl $name {
            /// Every action, for the tests.
            #[allow(dead_code)]
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code the form posts.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The action the form named in `do`.
            pub fn of(f: &$crate::form::FormData) -> Result<$name, $crate::error::AppError> {
                match f.get("do").unwrap_or("") {
                    $($code => Ok($name::$variant),)+
                    other => Err($crate::error::unknown_action(other)),
                }
            }
        }

        impl maud::Render for $name {
            fn render_to(&self, buffer: &mut String) {
                buffer.push_str(self.code());
            }
        }
    };
}
pub(crate) use form_actions;

#[cfg(test)]
mod tests {
    use super::*;

    form_actions! {
        enum Act {
            Vote = "vote",
            PointOfOrder = "point_of_order",
        }
    }

    #[test]
    fn a_form_action_reads_back_as_posted_and_an_unknown_one_is_refused_by_name() {
        for &a in Act::ALL {
            let posted = FormData::parse(format!("do={a}", a = a.code()).as_bytes());
            assert_eq!(Act::of(&posted).unwrap(), a);
            assert_eq!(maud::html! { (a) }.into_string(), a.code());
        }
        for typed in ["", "Vote", "drop_table"] {
            let posted = FormData::parse(format!("do={typed}").as_bytes());
            match Act::of(&posted) {
                Err(AppError::Refused(r)) => {
                    assert!(r.to_string().contains("unknown action"), "{r}");
                    assert!(r.to_string().contains(typed), "{r}");
                }
                other => panic!("{typed:?} should be refused, got {other:?}"),
            }
        }
    }
}
