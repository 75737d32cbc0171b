//! The decryption path of identities, fed anything a seized-and-altered database could hold:
//! opening must refuse (never panic, never return something it did not seal), and whatever is
//! sealed must open again only in its own place.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use store::vault::{Field, MasterKey, Vault};

fn vault() -> &'static Vault {
    static V: OnceLock<Vault> = OnceLock::new();
    V.get_or_init(|| Vault::new(&MasterKey::from_bytes([0x42; 32]), 1))
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 10 {
        return;
    }
    let v = vault();
    let person = i64::from_le_bytes(data[..8].try_into().unwrap());
    let field = Field::ALL[data[8] as usize % Field::ALL.len()];
    let version = (data[9] % 3) as i64;
    let body = &data[10..];
    // Arbitrary bytes as a stored ciphertext: refused, unless they are a real one (never, here).
    assert!(v.open(person, field, version, Some(body)).is_err() || body.is_empty());
    // Arbitrary text sealed, then opened in its place and refused elsewhere.
    if let Ok(text) = std::str::from_utf8(body) {
        if let Some(sealed) = v.seal(person, field, text) {
            assert_eq!(v.open(person, field, 1, Some(&sealed)).as_deref(), Ok(text));
            assert!(v.open(person.wrapping_add(1), field, 1, Some(&sealed)).is_err());
        }
    }
});
