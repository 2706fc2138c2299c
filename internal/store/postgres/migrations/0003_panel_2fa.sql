-- 0003_panel_2fa (issue 12): as sqlite/migrations/0003_panel_2fa.sql.
ALTER TABLE admins ADD COLUMN totp_secret text NOT NULL DEFAULT '';
ALTER TABLE admins ADD COLUMN totp_recovery text NOT NULL DEFAULT '';
ALTER TABLE admins ADD COLUMN totp_last_step bigint NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN totp_secret text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN totp_recovery text NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN totp_last_step bigint NOT NULL DEFAULT 0;
ALTER TABLE ftp_accounts ADD COLUMN last_login_addr text COLLATE "C" NOT NULL DEFAULT '';
