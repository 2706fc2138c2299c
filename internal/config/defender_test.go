package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefenderSafeList(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ftpanel.toml")
	if err := os.WriteFile(path, []byte("[defender]\nsafe_list = [\"192.0.2.7\", \"10.0.0.0/8\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     []string
		want    string // the guard's safe list, joined
		wantErr string
	}{
		{"File", nil, "192.0.2.7/32,10.0.0.0/8", ""},
		{"Env", []string{"FTPANEL_DEFENDER_SAFE_LIST=2001:db8::/48, 198.51.100.1"}, "2001:db8::/48,198.51.100.1/32", ""},
		{"EnvEmpty", []string{"FTPANEL_DEFENDER_SAFE_LIST="}, "", ""},
		{"Bad", []string{"FTPANEL_DEFENDER_SAFE_LIST=192.0.2.0/24,office.example"}, "", `defender.safe_list: "office.example" is not an IP address`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(path, append([]string{"FTPANEL_DATA=" + dir}, tc.env...))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			g, err := c.GuardConfig()
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, p := range g.SafeList {
				s = append(s, p.String())
			}
			if got := strings.Join(s, ","); got != tc.want {
				t.Errorf("safe list = %q, want %q", got, tc.want)
			}
			if g.MaxFailures != c.Defender.MaxFailures || g.BanTime != c.Defender.BanTime.Duration || g.Node != c.NodeID() {
				t.Errorf("guard config %+v does not follow [defender]", g)
			}
		})
	}
}
