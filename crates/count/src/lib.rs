//! Counting rules (see README).
