//! The vault: the keys that seal identifying details, and the sealing itself.
//!
//! Identifying details (legal name, email, phone, address, workplace, notes) are stored each in
//! its own XChaCha20-Poly1305 ciphertext: a random 24-byte nonce, then the ciphertext and its
//! 16-byte tag. The associated data binds each ciphertext to its table, column, row (the person)
//! and key version, so a ciphertext copied to another person's row, or to another column, does
//! not open. An empty field is stored as NULL: a seized database shows that someone has no phone
//! recorded, and nothing else about them.
//!
//! The key lives outside the database: a key file of 32 random bytes (hex, mode 0600), or a
//! passphrase stretched with Argon2id over a salt kept in the database. From that master key
//! HKDF-SHA256 derives, under distinct labels, the encryption key, the blind-index key (email and
//! phone are found through a keyed HMAC-SHA256 of their normal form, never in plain text) and a
//! key check value kept in the database, so that a wrong key is refused at start instead of
//! producing garbage. Key material is zeroed when dropped and never printed.

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use core_rules::people::Identity;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::path::{Path, PathBuf};
use zeroize::{Zeroize, Zeroizing};

/// Nonce length of XChaCha20-Poly1305.
pub const NONCE_LEN: usize = 24;
/// Tag length of Poly1305.
pub const TAG_LEN: usize = 16;
/// Bytes of HMAC-SHA256 kept as a blind index: 128 bits, far beyond any collision in practice.
pub const BLIND_LEN: usize = 16;

/// Why the vault refused.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum VaultError {
    #[error("a stored identity does not open with this key (person {person}, {column}): the data was moved, altered, or written with another key")]
    Open { person: i64, column: &'static str },
    #[error("the key does not open this database's identities; give the key file (or passphrase) this database was set up with")]
    WrongKey,
    #[error("{0}")]
    KeyFile(String),
}

/// 32 random bytes from which every key is derived. Zeroed on drop; never printed.
#[derive(Clone)]
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> MasterKey {
        let mut k = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(&mut k[..]);
        MasterKey(k)
    }

    pub fn from_bytes(bytes: [u8; 32]) -> MasterKey {
        let mut b = bytes;
        let k = MasterKey(Zeroizing::new(b));
        b.zeroize();
        k
    }

    /// The raw bytes (for tests that look for the key where it must not be).
    pub fn expose_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn from_hex(s: &str) -> Option<MasterKey> {
        let s = s.trim();
        if s.len() != 64 {
            return None;
        }
        let mut k = Zeroizing::new([0u8; 32]);
        for (i, chunk) in s.as_bytes().chunks(2).enumerate() {
            let hi = (chunk[0] as char).to_digit(16)?;
            let lo = (chunk[1] as char).to_digit(16)?;
            k[i] = (hi * 16 + lo) as u8;
        }
        Some(MasterKey(k))
    }

    fn to_hex(&self) -> Zeroizing<String> {
        let mut s = Zeroizing::new(String::with_capacity(65));
        for b in self.0.iter() {
            s.push(char::from_digit((b >> 4) as u32, 16).unwrap_or('0'));
            s.push(char::from_digit((b & 15) as u32, 16).unwrap_or('0'));
        }
        s
    }

    /// The key stretched from a passphrase: Argon2id, 64 MiB, 3 passes, over the database's salt.
    pub fn from_passphrase(passphrase: &str, salt: &[u8]) -> Result<MasterKey, VaultError> {
        if passphrase.chars().count() < 12 {
            return Err(VaultError::KeyFile(
                "the passphrase is too short: use at least 12 characters (better, several words)"
                    .into(),
            ));
        }
        let params = argon2::Params::new(64 * 1024, 3, 1, Some(32))
            .map_err(|e| VaultError::KeyFile(format!("argon2: {e}")))?;
        let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut k = Zeroizing::new([0u8; 32]);
        a.hash_password_into(passphrase.as_bytes(), salt, &mut k[..])
            .map_err(|e| VaultError::KeyFile(format!("argon2: {e}")))?;
        Ok(MasterKey(k))
    }
}

/// A new random salt for a passphrase.
pub fn new_salt() -> Vec<u8> {
    let mut s = vec![0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut s);
    s
}

/// Where the key comes from.
#[derive(Clone)]
pub enum KeySource {
    /// A key already in memory (tests, and rotation).
    Key(MasterKey),
    /// A key file: 64 hex digits, mode 0600.
    File(PathBuf),
    /// A passphrase, stretched over the salt stored in the database.
    Passphrase(Zeroizing<String>),
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::Key(_) => f.write_str("KeySource::Key(..)"),
            KeySource::File(p) => write!(f, "KeySource::File({})", p.display()),
            KeySource::Passphrase(_) => f.write_str("KeySource::Passphrase(..)"),
        }
    }
}

/// Refuses a key file that group or others may read or write.
pub fn check_private(path: &Path) -> Result<(), VaultError> {
    let meta = std::fs::metadata(path).map_err(|e| {
        VaultError::KeyFile(format!("cannot read the key file {}: {e}", path.display()))
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(VaultError::KeyFile(format!(
                "the key file {} may be read or written by group or others (mode {mode:04o}); \
                 refusing to use it. Make it private with `chmod 600 {}`, and ask who may have copied it",
                path.display(),
                path.display()
            )));
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    Ok(())
}

/// Reads a key file, refusing one that is not private to its owner.
pub fn read_key_file(path: &Path) -> Result<MasterKey, VaultError> {
    check_private(path)?;
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        VaultError::KeyFile(format!("cannot read the key file {}: {e}", path.display()))
    })?);
    MasterKey::from_hex(&text).ok_or_else(|| {
        VaultError::KeyFile(format!(
            "{} is not an Iskra key file (it must hold 64 hex digits)",
            path.display()
        ))
    })
}

/// Creates a new key file with mode 0600 from the start (never loosened, then tightened).
/// Refuses to overwrite an existing file.
pub fn create_key_file(path: &Path) -> Result<MasterKey, VaultError> {
    use std::io::Write;
    let key = MasterKey::generate();
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| {
        VaultError::KeyFile(format!(
            "cannot create the key file {}: {e}",
            path.display()
        ))
    })?;
    let mut text = key.to_hex();
    text.push('\n');
    f.write_all(text.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| VaultError::KeyFile(format!("writing {}: {e}", path.display())))?;
    Ok(key)
}

/// Reads the key file at `path`, creating it first if there is none. Returns whether it was
/// created.
pub fn ensure_key_file(path: &Path) -> Result<(MasterKey, bool), VaultError> {
    if path.exists() {
        Ok((read_key_file(path)?, false))
    } else {
        Ok((create_key_file(path)?, true))
    }
}

/// The sealed columns of `identities`, in table order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    LegalName,
    Email,
    Phone,
    Address,
    Workplace,
    Notes,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::LegalName,
        Field::Email,
        Field::Phone,
        Field::Address,
        Field::Workplace,
        Field::Notes,
    ];

    pub fn column(self) -> &'static str {
        match self {
            Field::LegalName => "legal_name",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Address => "address",
            Field::Workplace => "workplace",
            Field::Notes => "notes",
        }
    }

    fn of(self, i: &Identity) -> &str {
        match self {
            Field::LegalName => &i.legal_name,
            Field::Email => &i.email,
            Field::Phone => &i.phone,
            Field::Address => &i.address,
            Field::Workplace => &i.workplace,
            Field::Notes => &i.notes,
        }
    }

    fn slot(self, i: &mut Identity) -> &mut String {
        match self {
            Field::LegalName => &mut i.legal_name,
            Field::Email => &mut i.email,
            Field::Phone => &mut i.phone,
            Field::Address => &mut i.address,
            Field::Workplace => &mut i.workplace,
            Field::Notes => &mut i.notes,
        }
    }
}

/// What a blind index is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blind {
    Email,
    Phone,
}

/// An identity as stored: six optional ciphertexts and two optional blind indexes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SealedIdentity {
    pub fields: [Option<Vec<u8>>; 6],
    pub email_key: Option<Vec<u8>>,
    pub phone_key: Option<Vec<u8>>,
}

/// HMAC-SHA256 keyed once with the blind-index key, cloned for each index (which saves keying it
/// again per row). Its state is as secret as the key, and the crate does not zero it: this does,
/// on drop.
struct IndexMac(std::mem::ManuallyDrop<Hmac<Sha256>>);

impl Drop for IndexMac {
    #[allow(unsafe_code)] // One unsafe block, justified by its SAFETY comment.
    fn drop(&mut self) {
        // SAFETY: Hmac<Sha256> is plain fixed-size data (hash states and block buffers, no heap,
        // no references); it is never used or dropped again after its bytes are zeroed here.
        unsafe {
            let p = &mut *self.0 as *mut Hmac<Sha256> as *mut u8;
            std::slice::from_raw_parts_mut(p, std::mem::size_of::<Hmac<Sha256>>()).zeroize();
        }
    }
}

/// The keys in use. Built once per process (key derivation is not repeated per row); the cipher
/// and the keyed HMAC are reused for every field.
pub struct Vault {
    cipher: XChaCha20Poly1305,
    index: IndexMac,
    check: [u8; 32],
    version: i64,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Vault(key version {})", self.version)
    }
}

const TABLE: &str = "identities";

impl Vault {
    /// Derives the sub-keys from the master key. `version` is the database's key version.
    pub fn new(master: &MasterKey, version: i64) -> Vault {
        let hk = hkdf::Hkdf::<Sha256>::new(Some(b"iskra vault v1"), &master.0[..]);
        let mut enc = Zeroizing::new([0u8; 32]);
        let mut index_key = Zeroizing::new([0u8; 32]);
        let mut check = [0u8; 32];
        // 32-byte outputs are always within HKDF-SHA256's limit.
        hk.expand(b"identities encryption", &mut enc[..])
            .expect("32 bytes");
        hk.expand(b"blind index", &mut index_key[..])
            .expect("32 bytes");
        hk.expand(b"key check", &mut check).expect("32 bytes");
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(&index_key[..])
            .expect("HMAC takes any key length");
        Vault {
            cipher: XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&enc[..])),
            index: IndexMac(std::mem::ManuallyDrop::new(mac)),
            check,
            version,
        }
    }

    pub fn version(&self) -> i64 {
        self.version
    }

    /// A value stored in the database that shows whether a key is the right one, and reveals
    /// nothing about it (a one-way derivation under its own label).
    pub fn key_check(&self) -> [u8; 32] {
        self.check
    }

    fn associated(column: &str, person: i64, version: i64, buf: &mut [u8; 64]) -> usize {
        let mut n = 0;
        for part in [TABLE.as_bytes(), b"\0", column.as_bytes(), b"\0"] {
            buf[n..n + part.len()].copy_from_slice(part);
            n += part.len();
        }
        buf[n..n + 8].copy_from_slice(&person.to_be_bytes());
        n += 8;
        buf[n..n + 8].copy_from_slice(&version.to_be_bytes());
        n + 8
    }

    /// Seals one field of one person's identity; an empty field is stored as NULL.
    pub fn seal(&self, person: i64, field: Field, plain: &str) -> Option<Vec<u8>> {
        if plain.is_empty() {
            return None;
        }
        let mut ad = [0u8; 64];
        let n = Self::associated(field.column(), person, self.version, &mut ad);
        let mut out = Vec::with_capacity(NONCE_LEN + plain.len() + TAG_LEN);
        let mut nonce = [0u8; NONCE_LEN];
        rand::thread_rng().fill_bytes(&mut nonce);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plain.as_bytes());
        let tag = self
            .cipher
            .encrypt_in_place_detached(XNonce::from_slice(&nonce), &ad[..n], &mut out[NONCE_LEN..])
            .expect("XChaCha20-Poly1305 seals any length Iskra stores");
        out.extend_from_slice(&tag);
        Some(out)
    }

    /// Opens one field sealed for `person` in `field` under key `version`.
    pub fn open(
        &self,
        person: i64,
        field: Field,
        version: i64,
        sealed: Option<&[u8]>,
    ) -> Result<String, VaultError> {
        let Some(sealed) = sealed else {
            return Ok(String::new());
        };
        let bad = VaultError::Open {
            person,
            column: field.column(),
        };
        if version != self.version || sealed.len() < NONCE_LEN + TAG_LEN {
            return Err(bad);
        }
        let mut ad = [0u8; 64];
        let n = Self::associated(field.column(), person, version, &mut ad);
        let (nonce, rest) = sealed.split_at(NONCE_LEN);
        let (body, tag) = rest.split_at(rest.len() - TAG_LEN);
        let mut buf = body.to_vec();
        self.cipher
            .decrypt_in_place_detached(
                XNonce::from_slice(nonce),
                &ad[..n],
                &mut buf,
                Tag::from_slice(tag),
            )
            .map_err(|_| bad.clone())?;
        String::from_utf8(buf).map_err(|_| bad)
    }

    /// The blind index of a normalised email or phone: HMAC-SHA256 under the blind-index key,
    /// with the kind in the message so that an email never matches a phone.
    pub fn blind(&self, kind: Blind, normalised: &str) -> [u8; BLIND_LEN] {
        let mut mac = (*self.index.0).clone();
        mac.update(match kind {
            Blind::Email => b"email\0",
            Blind::Phone => b"phone\0",
        });
        mac.update(normalised.as_bytes());
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; BLIND_LEN];
        out.copy_from_slice(&full[..BLIND_LEN]);
        out
    }

    /// The blind index of an email as written (normalised first), if it has one.
    pub fn email_index(&self, email: &str) -> Option<[u8; BLIND_LEN]> {
        core_rules::people::email_key(email).map(|k| self.blind(Blind::Email, &k))
    }

    /// The blind index of a phone number as written (normalised first), if it has one.
    pub fn phone_index(&self, phone: &str) -> Option<[u8; BLIND_LEN]> {
        core_rules::people::phone_key(phone).map(|k| self.blind(Blind::Phone, &k))
    }

    /// Seals a whole identity for `person`.
    pub fn seal_identity(&self, person: i64, i: &Identity) -> SealedIdentity {
        SealedIdentity {
            fields: Field::ALL.map(|f| self.seal(person, f, f.of(i))),
            email_key: self.email_index(&i.email).map(|k| k.to_vec()),
            phone_key: self.phone_index(&i.phone).map(|k| k.to_vec()),
        }
    }

    /// Opens a whole identity stored for `person` under key `version`.
    pub fn open_identity(
        &self,
        person: i64,
        version: i64,
        fields: &[Option<Vec<u8>>; 6],
    ) -> Result<Identity, VaultError> {
        let mut out = Identity::default();
        for (f, sealed) in Field::ALL.iter().zip(fields) {
            *f.slot(&mut out) = self.open(person, *f, version, sealed.as_deref())?;
        }
        Ok(out)
    }
}

/// Identities re-encrypted per batch while rotating.
const ROTATE_BATCH: i64 = 1000;

impl crate::Store {
    /// Re-encrypts every identity and recomputes every blind index under `new`, and records its
    /// key check, all in one transaction: either every identity moves to the new key or none
    /// does. `progress(done, total)` is called as it goes. Afterwards this store (and any server
    /// still running with the old key) no longer opens identities: reopen with the new key.
    pub async fn rotate_key(
        &self,
        new: &KeySource,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> crate::Result<u64> {
        use sqlx::Row;
        let old = self.vault()?;
        let mut tx = self.write().await?;
        let version: i64 = sqlx::query_scalar("SELECT key_version FROM vault WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        if version != old.version() {
            return Err(VaultError::WrongKey.into());
        }
        let salt = match new {
            KeySource::Passphrase(_) => Some(new_salt()),
            _ => None,
        };
        let next = Vault::new(&crate::master_key(new, salt.as_deref())?, version + 1);
        // The key check depends on the master key alone.
        if next.key_check() == old.key_check() {
            return Err(crate::StoreError::Internal(
                "the new key is the key in use; rotating needs a new key".into(),
            ));
        }
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM identities")
            .fetch_one(&mut *tx)
            .await?;
        let mut done = 0u64;
        let mut last = i64::MIN;
        loop {
            let rows = sqlx::query(&format!(
                "SELECT person_id, {} FROM identities WHERE person_id > $1 ORDER BY person_id LIMIT $2",
                crate::people::IDENTITY_COLUMNS
            ))
            .bind(last)
            .bind(ROTATE_BATCH)
            .fetch_all(&mut *tx)
            .await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let person: i64 = r.try_get("person_id")?;
                let (v, fields) = crate::people::sealed_fields(r)?;
                let identity = old.open_identity(person, v, &fields)?;
                let sealed = next.seal_identity(person, &identity);
                let [legal_name, email, phone, address, workplace, notes] = sealed.fields;
                sqlx::query(
                    "UPDATE identities SET key_version = $1, legal_name = $2, email = $3, phone = $4, \
                     address = $5, workplace = $6, notes = $7, email_key = $8, phone_key = $9 \
                     WHERE person_id = $10",
                )
                .bind(next.version())
                .bind(legal_name)
                .bind(email)
                .bind(phone)
                .bind(address)
                .bind(workplace)
                .bind(notes)
                .bind(sealed.email_key)
                .bind(sealed.phone_key)
                .bind(person)
                .execute(&mut *tx)
                .await?;
                last = person;
                done += 1;
            }
            progress(done, total as u64);
        }
        sqlx::query(
            "UPDATE vault SET key_version = $1, key_check = $2, passphrase_salt = $3, changed_at = $4 WHERE id = 1",
        )
        .bind(next.version())
        .bind(next.key_check().to_vec())
        .bind(salt)
        .bind(crate::now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault() -> Vault {
        Vault::new(&MasterKey::from_bytes([7; 32]), 1)
    }

    fn who() -> Identity {
        Identity {
            legal_name: "Vera Zasulich".into(),
            email: "vera@example.org".into(),
            phone: "+44 141 496 0101".into(),
            address: "1 Yard Road".into(),
            workplace: "the docks".into(),
            notes: String::new(),
        }
    }

    #[test]
    fn a_sealed_identity_opens_again() {
        let v = vault();
        let s = v.seal_identity(42, &who());
        assert!(s.fields[5].is_none(), "empty notes are stored as NULL");
        assert_eq!(v.open_identity(42, 1, &s.fields).unwrap(), who());
        for f in s.fields.iter().flatten() {
            assert!(!f.windows(4).any(|w| w == b"Vera" || w == b"vera"));
        }
    }

    #[test]
    fn nonces_differ_so_equal_values_do_not_show() {
        let v = vault();
        assert_ne!(
            v.seal(1, Field::Email, "a@b.org"),
            v.seal(1, Field::Email, "a@b.org")
        );
    }

    #[test]
    fn a_ciphertext_moved_to_another_row_or_column_does_not_open() {
        let v = vault();
        let sealed = v.seal(42, Field::LegalName, "Vera Zasulich").unwrap();
        assert!(v.open(42, Field::LegalName, 1, Some(&sealed)).is_ok());
        assert_eq!(
            v.open(43, Field::LegalName, 1, Some(&sealed)),
            Err(VaultError::Open {
                person: 43,
                column: "legal_name"
            })
        );
        assert!(v.open(42, Field::Address, 1, Some(&sealed)).is_err());
        assert!(v.open(42, Field::LegalName, 2, Some(&sealed)).is_err());
        let mut swapped = v.seal_identity(42, &who()).fields;
        swapped.swap(0, 3);
        assert!(v.open_identity(42, 1, &swapped).is_err());
    }

    #[test]
    fn another_key_or_a_flipped_bit_does_not_open() {
        let v = vault();
        let other = Vault::new(&MasterKey::from_bytes([8; 32]), 1);
        let sealed = v.seal(42, Field::Phone, "+44 141 496 0101").unwrap();
        assert!(other.open(42, Field::Phone, 1, Some(&sealed)).is_err());
        assert_ne!(v.key_check(), other.key_check());
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 1;
            assert!(v.open(42, Field::Phone, 1, Some(&bad)).is_err(), "byte {i}");
        }
        assert!(v.open(42, Field::Phone, 1, Some(&sealed[..10])).is_err());
    }

    #[test]
    fn blind_indexes_match_normal_forms_and_depend_on_the_key() {
        let v = vault();
        assert_eq!(
            v.email_index("Vera@Example.org"),
            v.email_index(" vera@example.org")
        );
        assert_ne!(
            v.email_index("vera@example.org"),
            v.email_index("rosa@example.org")
        );
        let other = Vault::new(&MasterKey::from_bytes([8; 32]), 1);
        assert_ne!(
            v.email_index("vera@example.org"),
            other.email_index("vera@example.org")
        );
        assert_eq!(v.email_index(""), None);
    }

    #[test]
    fn key_files_are_private_and_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let (k, created) = ensure_key_file(&path).unwrap();
        assert!(created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let (again, created) = ensure_key_file(&path).unwrap();
        assert!(!created);
        assert_eq!(k.expose_bytes(), again.expose_bytes());
        assert!(create_key_file(&path).is_err(), "never overwritten");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let e = read_key_file(&path).unwrap_err().to_string();
            assert!(e.contains("mode 0644"), "{e}");
        }
        assert_eq!(format!("{k:?}"), "MasterKey(..)");
        assert!(!format!("{:?}", Vault::new(&k, 1)).contains(&k.to_hex()[..8]));
    }

    #[test]
    fn a_units_five_hundred_identities_open_in_milliseconds() {
        let v = vault();
        let sealed: Vec<_> = (0..500).map(|p| v.seal_identity(p, &who())).collect();
        let started = std::time::Instant::now();
        for (p, s) in sealed.iter().enumerate() {
            assert_eq!(v.open_identity(p as i64, 1, &s.fields).unwrap(), who());
        }
        let took = started.elapsed();
        // Generous for an unoptimised build on a shared machine; the figure is printed.
        eprintln!("500 identities opened in {took:?}");
        assert!(took < std::time::Duration::from_millis(500), "{took:?}");
    }

    #[test]
    fn passphrases_stretch_to_keys() {
        let a = MasterKey::from_passphrase("correct horse battery", b"0123456789abcdef").unwrap();
        let b = MasterKey::from_passphrase("correct horse battery", b"0123456789abcdef").unwrap();
        let c = MasterKey::from_passphrase("correct horse battery", b"fedcba9876543210").unwrap();
        assert_eq!(a.expose_bytes(), b.expose_bytes());
        assert_ne!(a.expose_bytes(), c.expose_bytes());
        assert!(MasterKey::from_passphrase("short", b"0123456789abcdef").is_err());
    }
}
