//! The daily salts of client fingerprints: one per Europe/Paris day, shared by every node through
//! the database, and deleted as soon as the day is over.

use jiff::civil::Date;
use sqlx::Row;

use super::{Store, StoreError};
use crate::domain::secret::random_token;

impl Store {
    /// The salt of `day`, created on first use; salts of earlier days are destroyed.
    pub async fn salt_for(&self, day: Date) -> Result<String, StoreError> {
        let day = day.to_string();
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM salts WHERE day < $1")
            .bind(&day)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO salts (day, salt) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING")
            .bind(&day)
            .bind(random_token())
            .execute(&mut *tx)
            .await?;
        let salt: String = sqlx::query("SELECT salt FROM salts WHERE day = $1")
            .bind(&day)
            .fetch_one(&mut *tx)
            .await?
            .try_get("salt")?;
        tx.commit().await?;
        Ok(salt)
    }

    /// How many salts exist, today's included.
    pub async fn count_salts(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM salts")
            .fetch_one(&self.read)
            .await?;
        Ok(row.try_get("n")?)
    }
}
