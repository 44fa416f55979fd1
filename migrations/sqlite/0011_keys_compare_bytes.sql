-- Identifiers, days and fingerprints compare byte by byte. Keep in step with
-- ../postgres/0011_keys_compare_bytes.sql.

-- Nothing to change on SQLite: its default collation (BINARY) already compares bytes. On
-- PostgreSQL these columns took the database's linguistic collation.
SELECT 1;
