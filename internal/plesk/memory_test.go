package plesk_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"ftpanel/internal/hosting"
	"ftpanel/internal/plesk"
)

// md5Hash is an imported md5-crypt hash: seeding thousands of accounts
// with it costs no argon2id.
const md5Hash = "$1$abcdefgh$SCkJjq41BeRR8R3/mCc1A."

// BenchmarkLargestPacket posts the packets that make the largest answers
// ftpanel allows, over HTTP on 127.0.0.1 to the real handler on a SQLite
// store with 5,000 accounts, and reports the server's memory while it
// answers: the peak of live heap objects (sampled every millisecond) and
// the peak RSS of the process (VmHWM, reset before each packet). It fails
// when either passes 100 MiB (issue 17.3; before the caps one packet of
// 20,000 gets took a server from 308 to 1,140 MiB RSS).
//
//	go test -run '^$' -bench LargestPacket -benchtime 3x ./internal/plesk/
func BenchmarkLargestPacket(b *testing.B) {
	const accounts = 5000
	e := mustEnv(b)
	ctx := e.Admin(context.Background())
	for i := range accounts {
		if _, _, err := e.Service.CreateAccount(ctx, hosting.AccountCreate{Site: "example.com",
			Login: "m" + strconv.Itoa(i), PasswordHash: md5Hash}); err != nil {
			b.Fatal(err)
		}
	}
	// The largest packets the limits allow: the most operations, each
	// answering every account; and a body at the size limit holding as
	// many filter values as the element limit lets through.
	var names strings.Builder
	for names.Len() < 3<<20 && names.Len() < 190_000*len("<name>m1234</name>") {
		fmt.Fprintf(&names, "<name>m%d</name>", names.Len()%accounts)
	}
	for _, p := range []struct {
		name string
		body []byte
	}{
		{"1000GetAll", packetOf("ftp-user", `<get><filter/></get>`, plesk.MaxOperations)},
		{"1000WebspaceGetAll", packetOf("webspace", `<get><filter/><dataset><gen_info/></dataset></get>`, plesk.MaxOperations)},
		{"GetManyNames", packetOf("ftp-user", `<get><filter>`+names.String()+`</filter></get>`, 1)},
	} {
		b.Run(p.name, func(b *testing.B) {
			var peakHeap, peakRSS, answer int64
			for b.Loop() {
				runtime.GC()
				resetPeakRSS()
				stop := sampleHeap()
				n, results := postCounting(b, e, p.body)
				heap := stop()
				peakHeap, peakRSS, answer = max(peakHeap, heap), max(peakRSS, peakRSSBytes()), n
				if results == 0 {
					b.Fatal("no results")
				}
			}
			b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(peakRSS)/(1<<20), "peak-RSS-MiB")
			b.ReportMetric(float64(answer)/(1<<20), "answer-MiB")
			b.ReportMetric(float64(len(p.body))/(1<<20), "body-MiB")
			if peakHeap > 100<<20 || peakRSS > 100<<20 {
				b.Fatalf("server memory: heap %d MiB, RSS %d MiB, want < 100 MiB", peakHeap>>20, peakRSS>>20)
			}
		})
	}
}

// postCounting posts body with the admin token and reads the answer as a
// client would, counting its bytes and <result> elements without keeping
// it.
func postCounting(tb testing.TB, e *testEnv, body []byte) (n int64, results int) {
	req, err := http.NewRequest(http.MethodPost, e.URL, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("KEY", e.AdminKey)
	req.Header.Set("HTTP_PRETTY_PRINT", "TRUE")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 64<<10)
	var tail []byte
	for {
		m, err := resp.Body.Read(buf)
		n += int64(m)
		chunk := append(tail, buf[:m]...)
		results += bytes.Count(chunk, []byte("<result>"))
		tail = append(tail[:0], chunk[max(0, len(chunk)-7):]...)
		results -= bytes.Count(tail, []byte("<result>")) // counted again with the next chunk
		if err == io.EOF {
			results += bytes.Count(tail, []byte("<result>"))
			return n, results
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// sampleHeap samples the bytes of live heap objects every millisecond
// until the returned function is called, which returns the peak.
func sampleHeap() func() int64 {
	var (
		mu   sync.Mutex
		peak int64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() {
		metrics.Read(s)
		mu.Lock()
		peak = max(peak, int64(s[0].Value.Uint64()))
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() int64 {
		close(done)
		wg.Wait()
		read()
		return peak
	}
}

// resetPeakRSS resets VmHWM (Linux: clear_refs 5).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSSBytes is VmHWM of this process.
func peakRSSBytes() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
