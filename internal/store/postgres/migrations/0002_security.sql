-- Issue 17. The bans are read every second by every node (the guard of
-- every password check): index them by end. (Times need no change here:
-- timestamptz keeps microseconds for years 0001–9999; the SQLite store's
-- 0002 moves from nanoseconds to microseconds to match.)

CREATE INDEX bans_until ON bans (until);
