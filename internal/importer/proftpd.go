package importer

import (
	"os"
	"strconv"
	"strings"
)

// parseProFTPD reads an AuthUserFile (passwd(5) format, as ftpasswd writes
// it: login:hash:uid:gid:gecos:home:shell) and, when quotaFile is set, the
// text of `ftpquota --show-records --type=limit`, whose per-user "Uploaded
// bytes" limit becomes the quota.
func parseProFTPD(file, quotaFile string) ([]Record, error) {
	recs, err := parseFile(file, parsePasswdLine)
	if err != nil || quotaFile == "" {
		return recs, err
	}
	quotas, err := parseFTPQuota(quotaFile)
	if err != nil {
		return nil, err
	}
	for i := range recs {
		if q, ok := quotas[recs[i].Login]; ok && recs[i].Err == nil {
			recs[i].QuotaBytes = &q
		}
	}
	return recs, nil
}

func parsePasswdLine(text string, r *Record) {
	f := strings.Split(text, ":")
	r.Login = f[0]
	if len(f) != 7 {
		r.Err = lineErr("line", "want 7 fields login:hash:uid:gid:gecos:home:shell, got %d", len(f))
		return
	}
	r.Login, r.Hash = f[0], f[1]
	uid, err1 := strconv.Atoi(f[2])
	gid, err2 := strconv.Atoi(f[3])
	if err1 != nil || err2 != nil || uid < 0 || gid < 0 {
		r.Err = lineErr("system_user", "uid:gid %q:%q are not numbers", f[2], f[3])
		return
	}
	r.UID, r.GID = &uid, &gid
	r.Home, r.Err = cleanAbs(f[5])
}

// parseFTPQuota reads ftpquota's limit records: blocks of "Name:",
// "Quota Type:" and "Uploaded bytes:" lines between dashed rules. Only
// user quotas are kept; "unlimited" is -1.
func parseFTPQuota(file string) (map[string]int64, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, openErr("quota_file", file, err)
	}
	defer f.Close()
	out := map[string]int64{}
	var name, typ, up string
	flush := func() {
		if name != "" && strings.EqualFold(typ, "user") && up != "" {
			if up == "unlimited" {
				out[name] = -1
			} else if v, err := strconv.ParseFloat(up, 64); err == nil && v >= 0 && v < 1<<62 {
				out[name] = int64(v)
			}
		}
		name, typ, up = "", "", ""
	}
	err = eachLine(f, func(l line) {
		if l.err != nil {
			return
		}
		t := strings.TrimSpace(l.text)
		if strings.HasPrefix(t, "---") {
			flush()
			return
		}
		k, v, ok := strings.Cut(t, ":")
		if !ok {
			return
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "Name":
			name = v
		case "Quota Type":
			typ = v
		case "Uploaded bytes":
			up = v
		}
	})
	flush()
	if err != nil {
		return nil, openErr("quota_file", file, err)
	}
	return out, nil
}
