package plesk_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"ftpanel/internal/plesk"
)

// TestHandler_Hardening runs the checks of issues 16.2, 16.3 and 17.3 on
// one fixture (a fresh one per check costs minutes under -race); none of
// them changes it, which each checks at its end.
func TestHandler_Hardening(t *testing.T) {
	e := mustEnv(t)
	for _, tc := range []struct {
		name string
		run  func(*testing.T, *testEnv)
	}{
		{"AuthBeforeParse", testAuthBeforeParse},
		{"NotAPacket", testNotAPacket},
		{"EmptyFilterValue", testEmptyFilterValue},
		{"OperationCap", testOperationCap},
		{"AnswerCap", testAnswerCap},
		{"RepeatedAddFast", testRepeatedAddFast},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, e) })
	}
}

// packetOf wraps operations of one operator in a packet.
func packetOf(operator, op string, n int) []byte {
	return []byte(`<packet><` + operator + `>` + strings.Repeat(op, n) + `</` + operator + `></packet>`)
}

// testOperationCap: at most plesk.MaxOperations operations per
// packet, counted over all operators; beyond it the packet is refused with
// the system error 1024 and nothing runs (issue 17.3).
func testOperationCap(t *testing.T, e *testEnv) {
	get := `<get><filter><name>webdev</name></filter></get>`
	add := func(i int) string {
		return fmt.Sprintf(`<add><name>cap%d</name><password>jdnHHbe6Gc</password><webspace-id>1</webspace-id></add>`, i)
	}
	t.Run("AtCap", func(t *testing.T) {
		a := mustAnswer(t, e.post(t, asAdminKey, packetOf("ftp-user", get, plesk.MaxOperations), false))
		if a.System != nil || len(a.Results) != plesk.MaxOperations || a.Results[plesk.MaxOperations-1].Status != "ok" {
			t.Fatalf("system %+v, %d results, want %d ok", a.System, len(a.Results), plesk.MaxOperations)
		}
	})
	over := map[string][]byte{
		"Gets":  packetOf("ftp-user", get, plesk.MaxOperations+1),
		"Adds":  packetOf("ftp-user", add(0), plesk.MaxOperations+1),
		"20000": packetOf("ftp-user", `<get><filter/></get>`, 20_000),
	}
	// Operators together: 1 add, then webspace gets and ftp-user gets past the cap.
	over["Mixed"] = []byte(`<packet><ftp-user>` + add(1) + `</ftp-user><webspace>` +
		strings.Repeat(`<get><filter/></get>`, plesk.MaxOperations/2) + `</webspace><ftp-user>` +
		strings.Repeat(get, plesk.MaxOperations/2) + `</ftp-user></packet>`)
	for name, body := range over {
		t.Run("Over/"+name, func(t *testing.T) {
			a := mustAnswer(t, e.post(t, asAdminKey, body, false))
			if a.systemCode() != 1024 || !strings.Contains(a.System.ErrText, fmt.Sprint(plesk.MaxOperations)) {
				t.Fatalf("system %+v, want 1024 naming the cap", a.System)
			}
		})
	}
	mustAccountCount(t, e, 3)
}

// testAnswerCap: once the answer reaches its cap, a get's further
// results are replaced by one error result and later operations answer
// 1024 without running; the answer stays well-formed and near the cap.
func testAnswerCap(t *testing.T, e *testEnv) {
	const limit = 600
	srv := httptest.NewServer(plesk.NewHandlerWithAnswerLimit(e.Service, plesk.Options{}, limit))
	t.Cleanup(srv.Close)
	body := []byte(`<packet><ftp-user><get><filter/></get><get><filter/></get>` +
		`<add><name>late</name><password>jdnHHbe6Gc</password><webspace-id>1</webspace-id></add></ftp-user>` +
		`<webspace><get><filter/></get></webspace></packet>`)
	req, err := http.NewRequest(http.MethodPost, srv.URL+plesk.Path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("KEY", e.AdminKey)
	req.Header.Set("HTTP_PRETTY_PRINT", "TRUE")
	r := doRequest(t, req)
	a := mustAnswer(t, r)
	var got []string
	for _, res := range a.Results {
		got = append(got, fmt.Sprintf("%s/%d", res.Status, res.ErrCode))
	}
	// First get: two of three accounts fit, then the cut; the rest not run.
	want := "ok/0 ok/0 error/1024 error/1024 error/1024 error/1024"
	if strings.Join(got, " ") != want {
		t.Fatalf("results %v, want %s\n%s", got, want, r.Body)
	}
	if !strings.Contains(a.Results[2].ErrText, "left out") || !strings.Contains(a.Results[3].ErrText, "not run") {
		t.Fatalf("errtexts %q, %q", a.Results[2].ErrText, a.Results[3].ErrText)
	}
	// Past the cap only the short error results follow (< 400 bytes each).
	if len(r.Body) > limit+4*400 {
		t.Fatalf("answer of %d bytes for a cap of %d", len(r.Body), limit)
	}
	mustAccountCount(t, e, 3)
}

// testRepeatedAddFast: 400 adds of an existing login in one
// packet answer 1007 each without hashing a password (issue 17.3 measured
// 14.3 s when the hash came before the duplicate check).
func testRepeatedAddFast(t *testing.T, e *testEnv) {
	body := packetOf("ftp-user", `<add><name>webdev</name><password>jdnHHbe6Gc</password><webspace-id>1</webspace-id></add>`, 400)
	start := time.Now()
	a := mustAnswer(t, e.post(t, asAdminKey, body, false))
	d := time.Since(start)
	t.Logf("400 duplicate adds: %v", d)
	if len(a.Results) != 400 || a.Results[399].ErrCode != 1007 {
		t.Fatalf("%d results, last %+v, want 400 × 1007", len(a.Results), a.Results[len(a.Results)-1])
	}
	if d > 20*time.Second { // 400 argon2id hashes take 12 s or more, far more with -race
		t.Fatalf("400 duplicate adds took %v", d)
	}
}
