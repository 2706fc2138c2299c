-- 0004_ssh_keys: SSH public keys that log in to FTP accounts over SFTP
-- (issue 13). A key goes with its account. The same key may serve several
-- accounts, but appears once per account.
CREATE TABLE ssh_keys (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER NOT NULL REFERENCES ftp_accounts (id) ON DELETE CASCADE,
    type         TEXT    NOT NULL,
    public_key   TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL,
    comment      TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    UNIQUE (account_id, fingerprint)
);
