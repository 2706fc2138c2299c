-- Issue 17. Times become INTEGER unix microseconds (UTC) instead of
-- nanoseconds: an int64 of nanoseconds holds only 1678–2262, so an
-- expires_at of 9999-12-31 ("never" in billing systems) or 1500-01-01
-- wrapped around. Existing values are converted in place, dividing with
-- floor so that times before 1970 stay exact. schema_migrations keeps
-- nanoseconds. The bans are read every second by every node (the guard
-- of every password check): index them by end.

UPDATE admins SET created_at = (created_at - ((created_at % 1000) + 1000) % 1000) / 1000;
UPDATE customers SET
    created_at = (created_at - ((created_at % 1000) + 1000) % 1000) / 1000,
    updated_at = (updated_at - ((updated_at % 1000) + 1000) % 1000) / 1000;
UPDATE sites SET
    created_at = (created_at - ((created_at % 1000) + 1000) % 1000) / 1000,
    updated_at = (updated_at - ((updated_at % 1000) + 1000) % 1000) / 1000;
UPDATE ftp_accounts SET
    expires_at    = (expires_at - ((expires_at % 1000) + 1000) % 1000) / 1000,
    created_at    = (created_at - ((created_at % 1000) + 1000) % 1000) / 1000,
    updated_at    = (updated_at - ((updated_at % 1000) + 1000) % 1000) / 1000,
    last_login_at = (last_login_at - ((last_login_at % 1000) + 1000) % 1000) / 1000;
UPDATE audit_events SET time = (time - ((time % 1000) + 1000) % 1000) / 1000;
UPDATE tokens SET
    created_at   = (created_at - ((created_at % 1000) + 1000) % 1000) / 1000,
    last_used_at = (last_used_at - ((last_used_at % 1000) + 1000) % 1000) / 1000;
UPDATE sessions SET
    started_at = (started_at - ((started_at % 1000) + 1000) % 1000) / 1000,
    updated_at = (updated_at - ((updated_at % 1000) + 1000) % 1000) / 1000;
UPDATE bans SET
    until      = (until - ((until % 1000) + 1000) % 1000) / 1000,
    created_at = (created_at - ((created_at % 1000) + 1000) % 1000) / 1000;
UPDATE kv SET expires_at = (expires_at - ((expires_at % 1000) + 1000) % 1000) / 1000;

CREATE INDEX bans_until ON bans (until);
