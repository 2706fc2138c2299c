package importer

import (
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"ftpanel/internal/hosting"
)

// parseHestia reads a HestiaCP data folder: dir is HestiaCP's root
// (/usr/local/hestia), its data/ folder, or data/users/. Every
// users/USER/web.conf line is a web domain (DOMAIN='…' KEY='…' …) whose
// FTP_USER, FTP_MD5 and FTP_PATH hold its additional FTP accounts,
// colon-separated in the same order. Each user becomes a customer (name
// and e-mail from user.conf), each domain a site rooted at
// HOMEDIR/USER/web/DOMAIN, and FTP_PATH is relative to that folder. A
// domain without FTP accounts gives one record without a login (the site
// only).
func parseHestia(dir, homeDir string) ([]Record, error) {
	if homeDir == "" {
		homeDir = "/home"
	}
	users := ""
	for _, c := range []string{filepath.Join(dir, "data", "users"), filepath.Join(dir, "users"), dir} {
		if fi, err := os.Stat(c); err == nil && fi.IsDir() && c != dir || c == dir && hasWebConf(c) {
			users = c
			break
		}
	}
	if users == "" {
		return nil, hosting.FieldErrorf(hosting.CodeNotFound, "file", "%s is not a HestiaCP data folder (no data/users/USER/web.conf)", dir)
	}
	ents, err := os.ReadDir(users)
	if err != nil {
		return nil, openErr("file", users, err)
	}
	var names []string
	for _, e := range ents {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var recs []Record
	for _, user := range names {
		name, email := hestiaUserConf(filepath.Join(users, user, "user.conf"))
		file := filepath.Join(users, user, "web.conf")
		f, err := os.Open(file)
		if err != nil {
			continue // a user without web domains
		}
		err = eachLine(f, func(l line) {
			if l.err == nil && strings.TrimSpace(l.text) == "" {
				return
			}
			base := Record{File: file, Line: l.n, Customer: user, CustomerName: name, Email: email, Compat: hosting.CompatHestia, Err: l.err}
			if l.err != nil {
				recs = append(recs, base)
				return
			}
			kv, err := hestiaPairs(l.text)
			if err != nil {
				base.Err = err
				recs = append(recs, base)
				return
			}
			domain := kv["DOMAIN"]
			if domain == "" || strings.ContainsAny(domain, "/\\") || strings.Trim(domain, ".") == "" {
				base.Err = lineErr("site", "no valid DOMAIN on this line")
				recs = append(recs, base)
				return
			}
			base.Site = domain
			base.SiteRoot = path.Join(homeDir, user, "web", domain)
			if kv["SUSPENDED"] == "yes" {
				base.Notes = append(base.Notes, "the domain is suspended in HestiaCP")
			}
			logins := splitList(kv["FTP_USER"])
			if len(logins) == 0 {
				recs = append(recs, base)
				return
			}
			hashes, paths := splitList(kv["FTP_MD5"]), strings.Split(kv["FTP_PATH"], ":")
			for i, login := range logins {
				r := base
				r.Notes = append([]string(nil), base.Notes...)
				r.Login = login
				if i < len(hashes) {
					r.Hash = hashes[i]
				}
				p := ""
				if i < len(paths) {
					p = paths[i]
				}
				if r.Home, r.Err = cleanAbs(base.SiteRoot + "/" + strings.TrimPrefix(p, "/")); r.Err == nil && r.Hash == "" {
					r.Err = hosting.FieldErrorf(hosting.CodeInvalidInput, "password_hash", "no FTP_MD5 entry for %s", login)
				}
				recs = append(recs, r)
			}
		})
		f.Close()
		if err != nil {
			return nil, openErr("file", file, err)
		}
	}
	return recs, nil
}

func hasWebConf(dir string) bool {
	m, _ := filepath.Glob(filepath.Join(dir, "*", "web.conf"))
	return len(m) > 0
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ":")
}

// hestiaPairs parses a HestiaCP object line: KEY='VALUE' pairs separated by
// spaces, values in single quotes (which they never contain).
func hestiaPairs(s string) (map[string]string, error) {
	kv := map[string]string{}
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return kv, nil
		}
		k, rest, ok := strings.Cut(s, "='")
		if !ok || k == "" || strings.ContainsAny(k, " '") {
			return nil, lineErr("line", "want KEY='VALUE' pairs")
		}
		v, rest2, ok := strings.Cut(rest, "'")
		if !ok {
			return nil, lineErr("line", "unterminated value of %s", k)
		}
		kv[k] = v
		s = rest2
	}
}

// hestiaUserConf returns a user's name and contact e-mail from user.conf
// (NAME, or FNAME and LNAME in older versions; CONTACT).
func hestiaUserConf(file string) (name, email string) {
	b, err := os.ReadFile(file)
	if err != nil || len(b) > 1<<20 {
		return "", ""
	}
	kv := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if m, err := hestiaPairs(l); err == nil {
			for k, v := range m {
				kv[k] = v
			}
		}
	}
	name = kv["NAME"]
	if name == "" {
		name = strings.TrimSpace(kv["FNAME"] + " " + kv["LNAME"])
	}
	return name, kv["CONTACT"]
}
