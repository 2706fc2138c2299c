package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"testing"

	"ftpanel/internal/hosting"
)

func TestIdempotency(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := e.Admin(context.Background())
	count := func(t *testing.T) int {
		t.Helper()
		n, err := e.Service.CountAccounts(ctx, hosting.AccountFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	simple := map[string]any{"site": "alice.example"}

	t.Run("Replay", func(t *testing.T) {
		before := count(t)
		first := e.do(t, e.alice, "POST", "/api/v1/accounts", simple, "Idempotency-Key", "k-1").want(t, 201)
		again := e.do(t, e.alice, "POST", "/api/v1/accounts", simple, "Idempotency-Key", "k-1").want(t, 201)
		if !bytes.Equal(first.body, again.body) {
			t.Errorf("replayed body differs:\n%s\n%s", first.body, again.body)
		}
		if got := again.header.Get("Idempotent-Replayed"); got != "true" {
			t.Errorf("Idempotent-Replayed=%q, want true", got)
		}
		if first.header.Get("Idempotent-Replayed") != "" {
			t.Errorf("first answer marked as replayed")
		}
		if got, want := again.header.Get("Location"), first.header.Get("Location"); got != want || got == "" {
			t.Errorf("Location=%q, want %q", got, want)
		}
		if got, want := count(t), before+1; got != want {
			t.Errorf("accounts=%d, want %d: the retry created again", got, want)
		}
		// The stored answer holds the generated password, sealed.
		a := decodeAs[accountJSON](t, first)
		kh := sha256.Sum256([]byte("k-1"))
		raw, err := e.Service.KV(context.Background(), "idem:"+strconv.FormatInt(e.aliceID, 10), hex.EncodeToString(kh[:]))
		if err != nil {
			t.Fatalf("stored answer: %v", err)
		}
		if bytes.Contains(raw, []byte(a.Password)) || bytes.Contains(raw, []byte(a.Login)) {
			t.Errorf("stored answer is readable in the store")
		}
	})
	t.Run("SameKeyOtherToken", func(t *testing.T) {
		before := count(t)
		e.do(t, e.bob, "POST", "/api/v1/accounts", map[string]any{"site": "bob.example"}, "Idempotency-Key", "k-1").want(t, 201)
		if got, want := count(t), before+1; got != want {
			t.Errorf("accounts=%d, want %d: keys must be per token", got, want)
		}
	})
	t.Run("ErrDifferentRequest", func(t *testing.T) {
		e.do(t, e.alice, "POST", "/api/v1/accounts", map[string]any{"site": "alice.example", "login": "other1"}, "Idempotency-Key", "k-1").
			wantError(t, 409, hosting.CodeConflict, "Idempotency-Key")
		e.do(t, e.alice, "POST", "/api/v1/accounts/alice1/suspend", nil, "Idempotency-Key", "k-1").
			wantError(t, 409, hosting.CodeConflict, "Idempotency-Key")
	})
	t.Run("FailureNotKept", func(t *testing.T) {
		weak := map[string]any{"site": "alice.example", "login": "retry1", "password": "weak"}
		e.do(t, e.alice, "POST", "/api/v1/accounts", weak, "Idempotency-Key", "k-2").wantError(t, 422, hosting.CodeWeakPassword, "password")
		weak["password"] = "Kx9-Secret-77"
		e.do(t, e.alice, "POST", "/api/v1/accounts", weak, "Idempotency-Key", "k-2").want(t, 201)
	})
	t.Run("PasswordReplay", func(t *testing.T) {
		first := decodeAs[accountJSON](t, e.do(t, e.alice, "POST", "/api/v1/accounts/alice1/password", nil, "Idempotency-Key", "pw-1").want(t, 200))
		again := decodeAs[accountJSON](t, e.do(t, e.alice, "POST", "/api/v1/accounts/alice1/password", nil, "Idempotency-Key", "pw-1").want(t, 200))
		if first.Password == "" || again.Password != first.Password {
			t.Errorf("replayed password %q, want %q", again.Password, first.Password)
		}
	})
	t.Run("NotForOtherMethods", func(t *testing.T) {
		e.do(t, e.alice, "PATCH", "/api/v1/accounts/alice1", map[string]any{"write": false}, "Idempotency-Key", "k-1").want(t, 200)
	})
	t.Run("ErrInvalidKey", func(t *testing.T) {
		e.do(t, e.alice, "POST", "/api/v1/accounts", simple, "Idempotency-Key", strings.Repeat("k", 256)).
			wantError(t, 400, hosting.CodeInvalidInput, "Idempotency-Key")
	})
	t.Run("Concurrent", func(t *testing.T) {
		before := count(t)
		var wg sync.WaitGroup
		statuses := make([]int, 8)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = e.do(t, e.alice, "POST", "/api/v1/accounts", simple, "Idempotency-Key", "k-race").status
			}()
		}
		wg.Wait()
		for _, s := range statuses {
			if s != 201 && s != 409 {
				t.Errorf("status %d, want 201 or 409", s)
			}
		}
		if got, want := count(t), before+1; got != want {
			t.Errorf("accounts=%d, want %d: concurrent retries created more than once", got, want)
		}
	})
}
