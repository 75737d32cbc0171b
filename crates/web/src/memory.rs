//! Giving freed memory back to the system. How is the allocator's business, and the allocator is
//! the binary's choice (`crates/iskra/src/main.rs` sets the policy once): the binary installs
//! the hook, and a page that has just freed a lot before it builds something large calls
//! `give_back_freed_memory`. Without a hook (tests, examples) the call does nothing.

use std::sync::OnceLock;

static HOOK: OnceLock<fn()> = OnceLock::new();

/// Installs what `give_back_freed_memory` does; the first hook installed stays.
pub fn install_give_back_hook(hook: fn()) {
    let _ = HOOK.set(hook);
}

/// Asks the allocator, through the binary's hook, to return its free pages to the system.
pub fn give_back_freed_memory() {
    if let Some(hook) = HOOK.get() {
        hook();
    }
}
