-- Usage measured from disk (issue 12) and quota shared by nodes (issue 17).
-- When each account's usage was last measured by the scanner, and each
-- site's total (NULL: never measured).
ALTER TABLE ftp_accounts ADD COLUMN used_measured_at timestamptz;
ALTER TABLE sites ADD COLUMN used_bytes bigint NOT NULL DEFAULT 0;
ALTER TABLE sites ADD COLUMN used_measured_at timestamptz;

-- Bytes a node may still add to an account's home beyond ftp_accounts.used_bytes
-- (uploads in flight and the chunk it holds), until expires_at. Short-lived,
-- like sessions: not copied by storecopy.
CREATE TABLE quota_reservations (
    account_id bigint      NOT NULL REFERENCES ftp_accounts (id) ON DELETE CASCADE,
    node       text        NOT NULL,
    bytes      bigint      NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (account_id, node)
);
