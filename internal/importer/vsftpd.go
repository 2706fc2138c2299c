package importer

import (
	"io"
	"os"
	"path/filepath"
	"strings"
)

// parseVSFTPd reads a pam_pwdfile / htpasswd file of virtual users
// (login:crypt per line) and, when dir is set, vsftpd's user_config_dir:
// a file per login whose local_root is the home and write_enable=YES/NO
// the write permission. A login without local_root has no home here; the
// importer then needs --site (the site root becomes the home).
func parseVSFTPd(file, dir string) ([]Record, error) {
	recs, err := parseFile(file, func(text string, r *Record) {
		login, hash, ok := strings.Cut(text, ":")
		if !ok || strings.Contains(hash, ":") {
			r.Err = lineErr("line", "want login:hash")
			return
		}
		r.Login, r.Hash = login, hash
	})
	if err != nil || dir == "" {
		return recs, err
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		if err == nil {
			err = os.ErrInvalid
		}
		return nil, openErr("user_config_dir", dir, err)
	}
	for i := range recs {
		r := &recs[i]
		if r.Err != nil || r.Login == "" || strings.ContainsAny(r.Login, "/\\") || r.Login == "." || r.Login == ".." {
			continue
		}
		readUserConfig(filepath.Join(dir, r.Login), r)
	}
	return recs, nil
}

// readUserConfig applies a vsftpd per-user config file to r.
func readUserConfig(name string, r *Record) {
	f, err := os.Open(name)
	if err != nil {
		return // no per-user settings: the defaults apply
	}
	defer f.Close()
	_ = eachLine(io.LimitReader(f, 1<<20), func(l line) {
		t := strings.TrimSpace(l.text)
		if l.err != nil || t == "" || strings.HasPrefix(t, "#") {
			return
		}
		k, v, _ := strings.Cut(t, "=")
		switch k {
		case "local_root":
			h, err := cleanAbs(v)
			if err != nil {
				r.Err = err
				return
			}
			r.Home = h
		case "write_enable":
			w := strings.EqualFold(v, "YES")
			r.Write = &w
		default:
			r.Notes = append(r.Notes, k+" not carried over")
		}
	})
}
