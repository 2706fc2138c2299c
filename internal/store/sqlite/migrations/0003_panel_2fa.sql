-- 0003_panel_2fa (issue 12): two-factor sign-in of panel users, and the
-- address of an FTP account's last login.
--
-- totp_secret is the base32 TOTP secret ('' = two-factor sign-in off);
-- totp_recovery the SHA-256 hashes (hex) of the unused one-time recovery
-- codes, one per line; totp_last_step the last accepted TOTP time step,
-- so a code is never accepted twice.
ALTER TABLE admins ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE admins ADD COLUMN totp_recovery TEXT NOT NULL DEFAULT '';
ALTER TABLE admins ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN totp_recovery TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ftp_accounts ADD COLUMN last_login_addr TEXT NOT NULL DEFAULT '';
