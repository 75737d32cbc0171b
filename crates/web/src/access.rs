//! The access rules, from the `access` crate: every access decision is taken there, by
//! `allowed(who, action)`, a pure crate beside the store. The pages use them from here; what is
//! the web's own is reading the viewer of a request from the store (`pages::who`, which builds
//! the [`Who`] with `access::assemble`).

pub use ::access::*;
