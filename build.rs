//! Rebuild when a migration is added: `sqlx::migrate!` embeds the folder's
//! files at compile time, and cargo does not see a new file on its own.
fn main() {
    println!("cargo:rerun-if-changed=src/store/migrations");
}
