//! The database: connecting, migrating, and the first start's seed.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use crate::ids;
use crate::time::now_millis;

/// SQLite allows one writer at a time, so writes go through a pool of one
/// connection (no `SQLITE_BUSY` retries under load) and reads through a
/// pool of several, which WAL lets run beside the writer.
#[derive(Clone, Debug)]
pub(crate) struct Db {
    pub read: SqlitePool,
    pub write: SqlitePool,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl Db {
    pub(crate) async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL is durable across application crashes; a
            // power cut may lose the last commits, never corrupt the file.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true)
            .pragma("cache_size", "-16000")
            // Every write resets the other connections' page caches; with
            // the file mapped, their reads are memory reads, not syscalls.
            .pragma("mmap_size", "268435456")
            .pragma("temp_store", "memory");
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .connect_with(options.read_only(true))
            .await?;
        Ok(Db { read, write })
    }

    pub(crate) async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}

/// What the banner shows: how to reach the first inbox and the API.
#[derive(Clone, Debug)]
pub struct Seeded {
    pub account_id: i64,
    pub inbox_id: i64,
    pub inbox_identifier: String,
    pub access_token: String,
    pub user_id: i64,
}

/// On an empty database, creates account 1, its administrator (with an API
/// access token) and one API inbox. Always returns the first of each.
pub(crate) async fn seed(db: &Db) -> Result<Seeded, sqlx::Error> {
    let mut tx = db.write.begin().await?;
    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM accounts ORDER BY id LIMIT 1")
        .fetch_optional(&mut *tx)
        .await?;
    if existing.is_none() {
        let now = now_millis();
        sqlx::query("INSERT INTO accounts (id, name, created_at) VALUES (1, 'ferrochat', $1)")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO users (account_id, name, display_name, email, role, access_token, pubsub_token, created_at)
             VALUES (1, 'Admin', 'Admin', 'admin@ferrochat.localhost', 'administrator', $1, $2, $3)",
        )
        .bind(ids::long_token())
        .bind(ids::token())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO inboxes (account_id, name, identifier, hmac_token, csat_survey_enabled, greeting_enabled, working_hours, created_at)
             VALUES (1, 'Website', $1, $2, TRUE, FALSE, $3, $4)",
        )
        .bind(ids::token())
        .bind(ids::token())
        .bind(crate::render::default_working_hours())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    let account_id: i64 = sqlx::query_scalar("SELECT id FROM accounts ORDER BY id LIMIT 1")
        .fetch_one(&mut *tx)
        .await?;
    let inbox =
        sqlx::query("SELECT id, identifier FROM inboxes WHERE account_id = $1 ORDER BY id LIMIT 1")
            .bind(account_id)
            .fetch_one(&mut *tx)
            .await?;
    let user = sqlx::query(
        "SELECT id, access_token FROM users WHERE account_id = $1 ORDER BY (role = 'administrator') DESC, id LIMIT 1",
    )
    .bind(account_id)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Seeded {
        account_id,
        inbox_id: inbox.get("id"),
        inbox_identifier: inbox.get("identifier"),
        access_token: user.get("access_token"),
        user_id: user.get("id"),
    })
}
