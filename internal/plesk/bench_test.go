package plesk_test

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkPacket measures whole packets over HTTP on 127.0.0.1 with a
// real SQLite store, authenticated by KEY (panel credentials add one
// argon2id verification per packet). Every add hashes its password with
// argon2id, which dominates add100.
func BenchmarkPacket(b *testing.B) {
	e := mustEnv(b)
	b.Run("get100", func(b *testing.B) {
		var sb strings.Builder
		sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><packet version="1.6.9.1"><ftp-user>`)
		for i := range 100 {
			fmt.Fprintf(&sb, "<get><filter><name>%s</name></filter></get>", []string{"webdev", "archive", "bobftp"}[i%3])
		}
		sb.WriteString(`</ftp-user></packet>`)
		body := []byte(sb.String())
		b.ReportAllocs()
		for b.Loop() {
			a := mustAnswer(b, e.post(b, asAdminKey, body, false))
			if len(a.Results) != 100 || a.Results[99].Status != "ok" {
				b.Fatalf("results = %d, last %+v", len(a.Results), a.Results[len(a.Results)-1])
			}
		}
	})
	b.Run("add100", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			b.StopTimer()
			var sb strings.Builder
			sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><packet version="1.6.9.1"><ftp-user>`)
			for j := range 100 {
				fmt.Fprintf(&sb, "<add><name>b%dx%d</name><password>jdnHHbe6Gc</password><home>/httpdocs/b%d</home>"+
					"<create-non-existent>true</create-non-existent><webspace-id>1</webspace-id></add>", n, j, j)
			}
			sb.WriteString(`</ftp-user></packet>`)
			body := []byte(sb.String())
			n++
			b.StartTimer()
			a := mustAnswer(b, e.post(b, asAdminKey, body, false))
			if len(a.Results) != 100 || a.Results[99].Status != "ok" {
				b.Fatalf("results = %d, last %+v", len(a.Results), a.Results[len(a.Results)-1])
			}
		}
	})
}
