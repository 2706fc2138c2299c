package hosting

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestLoginCache(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newLoginCache(100, time.Minute)
	c.put("web", "hash1", "Secret-pw1", now)
	tests := []struct {
		name              string
		login, hash, pass string
		at                time.Time
		want              bool
	}{
		{"OK", "web", "hash1", "Secret-pw1", now.Add(59 * time.Second), true},
		{"wrong password", "web", "hash1", "Secret-pw2", now, false},
		{"hash changed", "web", "hash2", "Secret-pw1", now, false},
		{"other login", "web2", "hash1", "Secret-pw1", now, false},
		{"expired", "web", "hash1", "Secret-pw1", now.Add(time.Minute), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.ok(tc.login, tc.hash, tc.pass, tc.at); got != tc.want {
				t.Fatalf("ok = %v, want %v", got, tc.want)
			}
		})
	}
	c.forget("web")
	if c.ok("web", "hash1", "Secret-pw1", now) {
		t.Fatal("ok after forget, want false")
	}
	var nilCache *loginCache // LoginCacheSize < 0 disables the cache
	nilCache.put("web", "h", "p", now)
	nilCache.forget("web")
	if nilCache.ok("web", "h", "p", now) {
		t.Fatal("disabled cache answered ok")
	}
}

func TestLoginCache_Bounded(t *testing.T) {
	for _, size := range []int{1, 3, 9, 10, 50} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			c := newLoginCache(size, time.Hour)
			now := time.Now()
			for i := range 10 * size {
				c.put(fmt.Sprintf("u%d", i), "h", "p", now)
				if got := len(c.data); got > size {
					t.Fatalf("after %d puts the cache holds %d entries, want ≤ %d", i+1, got, size)
				}
			}
			// The newest entry is always kept.
			if !c.ok(fmt.Sprintf("u%d", 10*size-1), "h", "p", now) {
				t.Fatal("newest entry evicted")
			}
		})
	}
}

func TestLoginCache_NoPasswordStored(t *testing.T) {
	c := newLoginCache(10, time.Hour)
	c.put("web", "hash", "Secret-pw1", time.Now())
	if s := fmt.Sprintf("%+v", c.data); strings.Contains(s, "Secret-pw1") {
		t.Fatalf("cache holds the password: %s", s)
	}
}
