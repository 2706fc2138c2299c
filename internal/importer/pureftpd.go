package importer

import (
	"strconv"
	"strings"
)

// pure-ftpd's pureftpd.passwd fields (pure-pw(8), puredb): one account a line,
//
//	login:hash:uid:gid:gecos:home:bw_up:bw_down:ratio_up:ratio_down:max_cnx:
//	quota_files:quota_size:allowed_local_ips:denied_local_ips:
//	allowed_client_ips:denied_client_ips:time_restrictions
//
// The home of a chrooted account carries the "/./" marker (pure-pw -d):
// the part before it is the chroot, which becomes the ftpanel home.
const (
	pwLogin = iota
	pwHash
	pwUID
	pwGID
	pwGecos
	pwHome
	pwBwUp
	pwBwDown
	pwRatioUp
	pwRatioDown
	pwMaxCnx
	pwQuotaFiles
	pwQuotaSize
	pwAllowLocal
	pwDenyLocal
	pwAllowClient
	pwDenyClient
	pwTime
	pwFields
)

func parsePureFTPd(text string, r *Record) {
	f := strings.Split(text, ":")
	r.Login = f[pwLogin]
	if len(f) < pwHome+1 {
		r.Err = lineErr("line", "want at least 6 fields login:hash:uid:gid:gecos:home, got %d", len(f))
		return
	}
	if len(f) > pwFields {
		r.Err = lineErr("line", "want at most %d fields, got %d", pwFields, len(f))
		return
	}
	for len(f) < pwFields {
		f = append(f, "")
	}
	r.Login, r.Hash = f[pwLogin], f[pwHash]
	uid, err1 := strconv.Atoi(f[pwUID])
	gid, err2 := strconv.Atoi(f[pwGID])
	if err1 != nil || err2 != nil || uid < 0 || gid < 0 {
		r.Err = lineErr("system_user", "uid:gid %q:%q are not numbers", f[pwUID], f[pwGID])
		return
	}
	r.UID, r.GID = &uid, &gid
	home := f[pwHome]
	if i := strings.Index(home, "/./"); i >= 0 {
		home = home[:i+1]
	}
	if r.Home, r.Err = cleanAbs(home); r.Err != nil {
		return
	}
	if q := f[pwQuotaSize]; q != "" {
		n, err := strconv.ParseInt(q, 10, 64)
		if err != nil || n < 0 {
			r.Err = lineErr("quota", "quota size %q is not a number of bytes", q)
			return
		}
		r.QuotaBytes = &n
	}
	if ips := f[pwAllowClient]; ips != "" {
		r.AllowedIPs = strings.Split(ips, ",")
	}
	for _, n := range []struct {
		i    int
		what string
	}{{pwBwUp, "upload bandwidth"}, {pwBwDown, "download bandwidth"}, {pwRatioUp, "upload ratio"},
		{pwRatioDown, "download ratio"}, {pwMaxCnx, "max connections"}, {pwQuotaFiles, "file-count quota"},
		{pwAllowLocal, "allowed server addresses"}, {pwDenyLocal, "denied server addresses"},
		{pwDenyClient, "denied client addresses"}, {pwTime, "time restrictions"}} {
		if f[n.i] != "" {
			r.Notes = append(r.Notes, n.what+" "+f[n.i]+" not carried over")
		}
	}
}
