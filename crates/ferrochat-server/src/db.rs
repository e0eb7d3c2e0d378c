//! The database: connecting, migrating, and the first start's seed.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use crate::ids;
use crate::time::now_millis;

/// SQLite allows one writer at a time, so writes go through a pool of one
/// connection (no `SQLITE_BUSY` retries under load) and reads through a
/// pool of several, which WAL lets run beside the writer. A third
/// connection checkpoints the WAL in the background, so that work never
/// lands on a commit.
#[derive(Clone, Debug)]
pub(crate) struct Db {
    pub read: SqlitePool,
    pub write: SqlitePool,
    checkpoint: SqlitePool,
}

/// How often the background checkpoint runs.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// WAL pages (of 4 KiB) past which the WAL is made to start over. A busy
/// server's readers keep the writer from restarting it on its own; the
/// restart runs on the writer's connection, between two of its
/// transactions, and waits for the readers to move on.
const WAL_RESTART_PAGES: i64 = 16_384;

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
            .connect_with(
                options
                    .clone()
                    .pragma("wal_autocheckpoint", "0")
                    // A restarted WAL is cut back to 64 MiB.
                    .pragma("journal_size_limit", "67108864"),
            )
            .await?;
        MIGRATOR.run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .connect_with(options.clone().read_only(true))
            .await?;
        let checkpoint = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        tokio::spawn(checkpoints(checkpoint.clone(), write.clone()));
        Ok(Db {
            read,
            write,
            checkpoint,
        })
    }

    pub(crate) async fn close(&self) {
        self.checkpoint.close().await;
        self.read.close().await;
        self.write.close().await;
    }
}

/// Copies the WAL into the database file every [`CHECKPOINT_EVERY`],
/// beside the writer rather than inside its commits, until the pool
/// closes. Past [`WAL_RESTART_PAGES`], restarts the WAL as well.
async fn checkpoints(pool: SqlitePool, write: SqlitePool) {
    let mut ticks = tokio::time::interval(CHECKPOINT_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if pool.is_closed() {
            return;
        }
        let passive = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&pool)
            .await;
        let pages = match passive {
            Ok(row) => row.try_get::<i64, _>(1).unwrap_or(0),
            Err(error) => {
                if !pool.is_closed() {
                    tracing::warn!(%error, "WAL checkpoint failed");
                }
                continue;
            }
        };
        if pages <= WAL_RESTART_PAGES {
            continue;
        }
        // Catch up with what was written meanwhile, still beside the
        // writer, so that the restart itself has little left to copy.
        let restart = async {
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_one(&pool)
                .await?;
            sqlx::query("PRAGMA wal_checkpoint(RESTART)")
                .fetch_one(&write)
                .await
        };
        if let Err(error) = restart.await
            && !write.is_closed()
        {
            tracing::warn!(%error, "WAL restart failed");
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    async fn write_rows(db: &Db, count: usize) {
        for n in 0..count {
            sqlx::query("INSERT INTO accounts (name, created_at) VALUES ($1, $2)")
                .bind(format!("account {n} {}", "x".repeat(2_000)))
                .bind(now_millis())
                .execute(&db.write)
                .await
                .unwrap();
        }
    }

    fn wal_size(dir: &std::path::Path) -> u64 {
        std::fs::metadata(dir.join("db.sqlite3-wal")).unwrap().len()
    }

    /// Commits never checkpoint (the writer has auto-checkpoints off), so
    /// without the background checkpoint the WAL would only grow. With it,
    /// the next writes after a checkpoint reuse the file from its start.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_background_checkpoint_lets_the_wal_start_over() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("db.sqlite3").display());
        let db = Db::connect(&url).await.unwrap();
        write_rows(&db, 300).await;
        let first = wal_size(dir.path());
        assert!(first > 300 * 2_000, "the WAL holds the writes: {first}");
        tokio::time::sleep(CHECKPOINT_EVERY * 3).await;
        write_rows(&db, 300).await;
        let second = wal_size(dir.path());
        assert!(
            second < first + first / 4,
            "the WAL started over: {first} then {second}"
        );
        let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
            .fetch_one(&db.read)
            .await
            .unwrap();
        assert_eq!(accounts, 600);
        db.close().await;
    }
}
