-- Fingerprints keep 8 bytes of their keyed hash, 16 hexadecimal digits. Keep in step with
-- ../postgres/0015_shorter_fingerprints.sql.

-- Those stored earlier held the whole hash: their start is what the same client sends now, so
-- duplicates are still found across the upgrade. Only the last day's reviews have one.
UPDATE reviews SET fingerprint = substr(fingerprint, 1, 16)
WHERE fingerprint IS NOT NULL AND length(fingerprint) > 16;
