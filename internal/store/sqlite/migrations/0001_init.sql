-- 0001_init: the whole model of DESIGN §2.
-- Times are INTEGER unix nanoseconds in UTC; NULL where the model has a
-- nil *time.Time. Booleans are INTEGER 0/1.

-- Panel administrators. Logins share one namespace with customers (the
-- store checks both tables); FTP logins are a separate namespace.
CREATE TABLE admins (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    login         TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE customers (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    login            TEXT    NOT NULL UNIQUE,
    name             TEXT    NOT NULL DEFAULT '',
    email            TEXT    NOT NULL DEFAULT '',
    password_hash    TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('active', 'suspended')),
    max_ftp_accounts INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

-- A customer owning sites cannot be deleted (RESTRICT): the store reports
-- conflict before the constraint would fire.
CREATE TABLE sites (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    name             TEXT    NOT NULL UNIQUE,
    customer_id      INTEGER NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    root             TEXT    NOT NULL,
    ip               TEXT    NOT NULL DEFAULT '',
    uid              INTEGER NOT NULL DEFAULT -1,
    gid              INTEGER NOT NULL DEFAULT -1,
    status           TEXT    NOT NULL CHECK (status IN ('active', 'suspended')),
    max_ftp_accounts INTEGER NOT NULL,
    default_quota    INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX sites_customer_id ON sites (customer_id);

-- customer_id repeats the site's owner so that the customer-wide limit and
-- the customer filter are one index lookup; UpdateSite keeps it in step.
CREATE TABLE ftp_accounts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    login         TEXT    NOT NULL UNIQUE,
    site_id       INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    customer_id   INTEGER NOT NULL REFERENCES customers (id),
    home          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    quota_bytes   INTEGER NOT NULL,
    can_read      INTEGER NOT NULL,
    can_write     INTEGER NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('active', 'suspended')),
    main          INTEGER NOT NULL,
    expires_at    INTEGER,
    allowed_ips   TEXT    NOT NULL DEFAULT '', -- JSON array, '' = any
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    last_login_at INTEGER,
    used_bytes    INTEGER NOT NULL DEFAULT 0
);
-- An index on (x) is (x, id): a site's or customer's accounts come in ID
-- order, so a page after a cursor reads just that page, and counting
-- them reads the index only.
CREATE INDEX ftp_accounts_site_id ON ftp_accounts (site_id);
CREATE INDEX ftp_accounts_customer_id ON ftp_accounts (customer_id);
-- At most one main account per site.
CREATE UNIQUE INDEX ftp_accounts_one_main ON ftp_accounts (site_id) WHERE main = 1;
-- The main accounts of a customer: the limit check counts all of the
-- customer's accounts and subtracts these.
CREATE INDEX ftp_accounts_customer_main ON ftp_accounts (customer_id) WHERE main = 1;

-- Audit events outlive the objects they name: no foreign keys.
CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    time        INTEGER NOT NULL,
    actor_kind  TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    customer_id INTEGER NOT NULL DEFAULT 0,
    via         TEXT    NOT NULL,
    remote_addr TEXT    NOT NULL DEFAULT '',
    action      TEXT    NOT NULL,
    object_type TEXT    NOT NULL,
    object_id   INTEGER NOT NULL DEFAULT 0,
    object_name TEXT    NOT NULL DEFAULT '',
    detail      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_customer_id ON audit_events (customer_id, id DESC);

-- A customer's tokens go with the customer.
CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL,
    key          TEXT    NOT NULL UNIQUE,
    secret_hash  TEXT    NOT NULL,
    admin        INTEGER NOT NULL,
    customer_id  INTEGER REFERENCES customers (id) ON DELETE CASCADE,
    description  TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX tokens_customer_id ON tokens (customer_id);

-- Live FTP sessions of every node. No foreign keys: a session row may
-- briefly outlive its account until its node closes it.
CREATE TABLE sessions (
    id             TEXT    PRIMARY KEY,
    node           TEXT    NOT NULL,
    protocol       TEXT    NOT NULL,
    account_id     INTEGER NOT NULL,
    login          TEXT    NOT NULL,
    site_id        INTEGER NOT NULL,
    site_name      TEXT    NOT NULL,
    customer_id    INTEGER NOT NULL,
    remote_addr    TEXT    NOT NULL,
    client         TEXT    NOT NULL DEFAULT '',
    tls            INTEGER NOT NULL,
    started_at     INTEGER NOT NULL,
    command        TEXT    NOT NULL DEFAULT '',
    transfer       TEXT    NOT NULL DEFAULT '',
    bytes_in       INTEGER NOT NULL DEFAULT 0,
    bytes_out      INTEGER NOT NULL DEFAULT 0,
    updated_at     INTEGER NOT NULL,
    kill_requested INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_node ON sessions (node);
CREATE INDEX sessions_account_id ON sessions (account_id);
CREATE INDEX sessions_site_id ON sessions (site_id);
CREATE INDEX sessions_customer_id ON sessions (customer_id);

CREATE TABLE bans (
    addr       TEXT    PRIMARY KEY,
    until      INTEGER NOT NULL,
    strikes    INTEGER NOT NULL,
    reason     TEXT    NOT NULL DEFAULT '',
    node       TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

CREATE TABLE kv (
    scope      TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    value      BLOB    NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX kv_expires_at ON kv (expires_at);
