-- Usage measured from disk (issue 12) and quota shared by nodes (issue 17).
-- When each account's usage was last measured by the scanner, and each
-- site's total (NULL: never measured).
ALTER TABLE ftp_accounts ADD COLUMN used_measured_at INTEGER;
ALTER TABLE sites ADD COLUMN used_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sites ADD COLUMN used_measured_at INTEGER;

-- Bytes a node may still add to an account's home beyond ftp_accounts.used_bytes
-- (uploads in flight and the chunk it holds), until expires_at (unix ns).
-- Short-lived, like sessions: not copied by storecopy.
CREATE TABLE quota_reservations (
    account_id INTEGER NOT NULL REFERENCES ftp_accounts (id) ON DELETE CASCADE,
    node       TEXT    NOT NULL,
    bytes      INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, node)
) WITHOUT ROWID;
