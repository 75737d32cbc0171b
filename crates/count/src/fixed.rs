//! Exact decimal fixed-point values held as integers.
//!
//! A value `v` with `places` decimals stands for `v / 10^places`. Rules that
//! prescribe a precision (Scottish STV: five places; Meek: nine) are counted in
//! these units, so no seat ever depends on floating point.

/// 10^places, for `places <= 18`.
pub const fn scale(places: u32) -> i64 {
    10i64.pow(places)
}

/// Render `v` units of `10^-places` as a decimal string, e.g. `format(138100000, 5) == "1381.00000"`.
pub fn format(v: i64, places: u32) -> String {
    if places == 0 {
        return v.to_string();
    }
    let s = scale(places);
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    let s = s as u64;
    format!("{sign}{}.{:0width$}", a / s, a % s, width = places as usize)
}

/// Parse a decimal string into units of `10^-places`, exactly; `None` if it has more
/// decimals than `places` or is not a number.
pub fn parse(text: &str, places: u32) -> Option<i64> {
    let t = text.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, f),
        None => (t, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if frac.len() > places as usize {
        return None;
    }
    let i: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut f: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    for _ in frac.len()..places as usize {
        f *= 10;
    }
    let v = i.checked_mul(scale(places))?.checked_add(f)?;
    Some(if neg { -v } else { v })
}

/// `floor(a * b / c)` for non-negative operands, computed without overflow.
pub fn mul_div_floor(a: i64, b: i64, c: i64) -> i64 {
    debug_assert!(a >= 0 && b >= 0 && c > 0);
    ((a as i128 * b as i128) / c as i128) as i64
}

/// `ceil(a * b / c)` for non-negative operands, computed without overflow.
pub fn mul_div_ceil(a: i64, b: i64, c: i64) -> i64 {
    debug_assert!(a >= 0 && b >= 0 && c > 0);
    let p = a as i128 * b as i128;
    let c = c as i128;
    ((p + c - 1) / c) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        assert_eq!(format(138100000, 5), "1381.00000");
        assert_eq!(format(1472, 5), "0.01472");
        assert_eq!(format(-5, 2), "-0.05");
        assert_eq!(parse("927.98248", 5), Some(92798248));
        assert_eq!(parse("0.5", 5), Some(50000));
        assert_eq!(parse("1.234567", 5), None);
        assert_eq!(parse("x", 5), None);
    }

    #[test]
    fn muldiv() {
        assert_eq!(mul_div_floor(7, 3, 2), 10);
        assert_eq!(mul_div_ceil(7, 3, 2), 11);
        assert_eq!(mul_div_ceil(6, 3, 2), 9);
    }
}
