package hestia

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"ftpanel/internal/hosting"
)

// webDomain is one site as HestiaCP's web.conf would hold it.
type webDomain struct {
	name   string  // ASCII (punycode) domain
	fields []field // the 28 keys of v-list-web-domain, in its order
}

type field struct{ key, val string }

// brief reports whether v-list-web-domains (21 keys) prints key; it
// leaves out what only v-list-web-domain (28 keys) shows.
func brief(key string) bool {
	switch key {
	case "SSL_FORCE", "SSL_HSTS", "FASTCGI_CACHE", "FASTCGI_DURATION", "REDIRECT", "REDIRECT_CODE", "CUSTOM_DOCROOT":
		return false
	}
	return true
}

// proxyExt is HestiaCP's default PROXY_EXT of a new web domain.
const proxyExt = "jpeg,jpg,png,gif,bmp,ico,svg,tif,tiff,css,js,htm,html,ttf,otf,webp,woff,txt,csv,rtf,doc,docx," +
	"xls,xlsx,ppt,pptx,odf,odp,ods,odt,pdf,psd,ai,eot,eps,ps,zip,tar,tgz,gz,rar,bz2,7z,aac,m4a,mp3,mp4,ogg,wav,wma," +
	"3gp,avi,flv,m4v,mkv,mov,mpeg,mpg,wmv,exe,iso,dmg,swf,woff2"

// domains returns the sites of customer c (only, when not nil) in
// creation order, each with its additional accounts in creation order.
func (h *handler) domains(ctx context.Context, c *hosting.Customer, only *hosting.Site) ([]webDomain, error) {
	sites := []*hosting.Site{only}
	af := hosting.AccountFilter{CustomerID: &c.ID}
	if only == nil {
		var err error
		if sites, err = h.svc.Sites(ctx, hosting.SiteFilter{CustomerID: &c.ID}); err != nil {
			return nil, fmt.Errorf("hestia: sites: %w", err)
		}
		sort.Slice(sites, func(i, j int) bool { return sites[i].ID < sites[j].ID })
	} else {
		af.SiteID = &only.ID
	}
	accts, err := h.svc.Accounts(ctx, af)
	if err != nil {
		return nil, fmt.Errorf("hestia: accounts: %w", err)
	}
	sort.Slice(accts, func(i, j int) bool { return accts[i].ID < accts[j].ID })
	out := make([]webDomain, 0, len(sites))
	for _, s := range sites {
		var users, paths []string
		var used int64
		for _, a := range accts {
			switch {
			case a.SiteID != s.ID:
			case a.Main:
				used = a.UsedBytes
			default:
				users = append(users, a.Login)
				paths = append(paths, homeEntry(a.Home))
			}
		}
		if s.UsedMeasuredAt != nil {
			used = s.UsedBytes // the site folder as the usage scanner measured it
		}
		out = append(out, webDomain{name: s.Name, fields: siteFields(s, documentRoot(s.Root), users, paths, used)})
	}
	return out, nil
}

// homeEntry is an account's FTP_PATH entry: HestiaCP stores the path
// relative to the domain folder, "" for the folder itself, else with a
// leading slash.
func homeEntry(home string) string {
	if home == "/" {
		return ""
	}
	return home
}

// siteFields are the 28 values of a site: ftpanel's where it has them,
// HestiaCP's neutral defaults for the rest.
func siteFields(s *hosting.Site, docRoot string, users, paths []string, used int64) []field {
	suspended := "no"
	if s.EffectiveStatus() == hosting.StatusSuspended {
		suspended = "yes"
	}
	created := s.CreatedAt.UTC()
	return []field{
		{"IP", s.IP},
		{"IP6", ""},
		{"DOCUMENT_ROOT", docRoot},
		{"U_DISK", strconv.FormatInt((used+(1<<20)-1)/(1<<20), 10)}, // MB, rounded up as du -m
		{"U_BANDWIDTH", "0"},
		{"TPL", "default"},
		{"ALIAS", ""},
		{"STATS", ""},
		{"STATS_USER", ""},
		{"SSL", "no"},
		{"SSL_FORCE", "no"},
		{"SSL_HSTS", "no"},
		{"SSL_HOME", "same"},
		{"LETSENCRYPT", "no"},
		{"FTP_USER", strings.Join(users, ":")},
		{"FTP_PATH", strings.Join(paths, ":")},
		{"AUTH_USER", ""},
		{"BACKEND", "default"},
		{"PROXY", "default"},
		{"PROXY_EXT", proxyExt},
		{"FASTCGI_CACHE", ""},
		{"FASTCGI_DURATION", ""},
		{"REDIRECT", ""},
		{"REDIRECT_CODE", ""},
		{"CUSTOM_DOCROOT", ""},
		{"SUSPENDED", suspended},
		{"TIME", created.Format("15:04:05")},
		{"DATE", created.Format("2006-01-02")},
	}
}

// documentRoot is the site's httpdocs/ folder when it has one (ftpanel's
// skeleton, as Plesk), else its root; with a final slash, as HestiaCP's
// public_html/.
func documentRoot(root string) string {
	root = strings.TrimRight(root, "/")
	if fi, err := os.Stat(filepath.Join(root, "httpdocs")); err == nil && fi.IsDir() {
		return root + "/httpdocs/"
	}
	return root + "/"
}

func (d webDomain) get(key string) string {
	for _, f := range d.fields {
		if f.key == key {
			return f.val
		}
	}
	return ""
}

// jsonString is a JSON string literal. HestiaCP echoes values raw; ftpanel
// escapes them so the output always parses.
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// writeJSONDomain writes `    "NAME": {...}` in HestiaCP's layout.
func writeJSONDomain(b *strings.Builder, d webDomain, all bool) {
	b.WriteString("    " + jsonString(d.name) + ": {\n")
	first := true
	for _, f := range d.fields {
		if !all && !brief(f.key) {
			continue
		}
		if !first {
			b.WriteString(",\n")
		}
		first = false
		b.WriteString("        " + jsonString(f.key) + ": " + jsonString(f.val))
	}
	b.WriteString("\n    }")
}

// formatDomain is v-list-web-domain's output in format (json, shell,
// plain, csv; another format prints nothing, as in HestiaCP).
func formatDomain(d webDomain, format string) string {
	var b strings.Builder
	switch format {
	case "json":
		b.WriteString("{\n")
		writeJSONDomain(&b, d, true)
		b.WriteString("\n}")
	case "shell":
		line := func(label, v string) { fmt.Fprintf(&b, "%-18s%s\n", label+":", v) }
		line("DOMAIN", d.name)
		line("ALIAS", strings.ReplaceAll(d.get("ALIAS"), ",", " "))
		line("IP", d.get("IP"))
		line("DOCUMENT_ROOT", d.get("DOCUMENT_ROOT"))
		line("TEMPLATE", d.get("TPL"))
		line("BACKEND", d.get("BACKEND"))
		line("PROXY", d.get("PROXY"))
		line("PROXY EXT", strings.ReplaceAll(d.get("PROXY_EXT"), ",", " "))
		if v := d.get("FTP_USER"); v != "" {
			line("FTP_USER", v)
		}
		if v := d.get("FTP_PATH"); v != "" {
			line("FTP_PATH", v)
		}
		line("DISK", d.get("U_DISK"))
		line("BW", d.get("U_BANDWIDTH"))
		line("SUSPENDED", d.get("SUSPENDED"))
		line("TIME", d.get("TIME"))
		line("DATE", d.get("DATE"))
	case "plain":
		writePlain(&b, d, true)
	case "csv":
		writeCSV(&b, []webDomain{d}, true)
	}
	return strings.TrimRight(b.String(), "\n")
}

// formatDomains is v-list-web-domains's output in format.
func formatDomains(ds []webDomain, format string) string {
	var b strings.Builder
	switch format {
	case "json":
		b.WriteString("{\n")
		for i, d := range ds {
			writeJSONDomain(&b, d, false)
			if i < len(ds)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString("}")
	case "shell":
		lines := [][]string{
			{"DOMAIN", "IP", "TPL", "SSL", "DISK", "BW", "SPND", "DATE"},
			{"------", "--", "---", "---", "----", "--", "----", "-----"},
		}
		for _, d := range ds {
			row := []string{d.name, d.get("IP"), d.get("TPL"), d.get("SSL"), d.get("U_DISK"),
				d.get("U_BANDWIDTH"), d.get("SUSPENDED"), d.get("DATE")}
			for i, c := range row {
				if c == "" {
					row[i] = "-" // column -t would drop the cell and shift the rest left
				}
			}
			lines = append(lines, row)
		}
		b.WriteString(columnT(lines))
	case "plain":
		for _, d := range ds {
			writePlain(&b, d, false)
		}
	case "csv":
		writeCSV(&b, ds, false)
	}
	return strings.TrimRight(b.String(), "\n")
}

// writePlain writes one tab-separated line: the domain, then the values
// in the JSON order.
func writePlain(b *strings.Builder, d webDomain, all bool) {
	b.WriteString(d.name)
	for _, f := range d.fields {
		if all || brief(f.key) {
			b.WriteString("\t" + f.val)
		}
	}
	b.WriteString("\n")
}

// writeCSV writes a header line (DOMAIN and the keys) and one line per domain.
func writeCSV(b *strings.Builder, ds []webDomain, all bool) {
	w := csv.NewWriter(b)
	head := []string{"DOMAIN"}
	for _, f := range siteFields(&hosting.Site{}, "", nil, nil, 0) {
		if all || brief(f.key) {
			head = append(head, f.key)
		}
	}
	_ = w.Write(head) // a strings.Builder does not fail
	for _, d := range ds {
		row := []string{d.name}
		for _, f := range d.fields {
			if all || brief(f.key) {
				row = append(row, f.val)
			}
		}
		_ = w.Write(row)
	}
	w.Flush()
}

// columnT aligns rows as column -t does: each column padded to its widest
// cell, two spaces apart, the last cell of a line unpadded.
func columnT(rows [][]string) string {
	var width []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], len(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			if i == len(r)-1 {
				b.WriteString(c)
				break
			}
			b.WriteString(c + strings.Repeat(" ", width[i]-len(c)+2))
		}
		b.WriteString("\n")
	}
	return b.String()
}
