package homefs_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"ftpanel/internal/homefs"
)

// TestConcurrentOverwriteDrift overwrites one file from several sessions
// at once for 30 rounds (issue 17 item 8), each way a protocol writes
// (Write, ReadFrom, WriteAt). The pool must count the file once: afterwards
// the account can still use its whole quota, to the byte.
func TestConcurrentOverwriteDrift(t *testing.T) {
	const (
		quota   = 2 << 20
		size    = 300 << 10
		writers = 4
		rounds  = 30
	)
	for _, how := range []string{"Write", "ReadFrom", "WriteAt"} {
		t.Run(how, func(t *testing.T) {
			home := t.TempDir()
			u := homefs.NewUsage(1, home, "/", quota)
			var views []*homefs.FS
			for range writers {
				views = append(views, mustFS(t, home, homefs.Options{Read: true, Write: true, Usage: u}))
			}
			data := bytes.Repeat([]byte("d"), size)
			for round := range rounds {
				var wg sync.WaitGroup
				for _, f := range views {
					wg.Go(func() {
						fl, err := f.OpenFile("/same.bin", os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
						if err != nil {
							t.Errorf("round %d: open: %v", round, err)
							return
						}
						defer fl.Close()
						switch how {
						case "Write":
							for off := 0; off < size; off += 32 << 10 {
								if _, err := fl.Write(data[off:min(size, off+32<<10)]); err != nil {
									t.Errorf("round %d: write: %v", round, err)
									return
								}
							}
						case "ReadFrom":
							if _, err := fl.ReadFrom(bytes.NewReader(data)); err != nil {
								t.Errorf("round %d: ReadFrom: %v", round, err)
							}
						case "WriteAt":
							for off := size - 32<<10; off >= 0; off -= 32 << 10 {
								if _, err := fl.WriteAt(data[off:off+32<<10], int64(off)); err != nil {
									t.Errorf("round %d: WriteAt: %v", round, err)
									return
								}
							}
						}
					})
				}
				wg.Wait()
				if t.Failed() {
					return
				}
			}
			fi, err := os.Stat(filepath.Join(home, "same.bin"))
			if err != nil {
				t.Fatal(err)
			}
			if got := u.Used(); got != fi.Size() {
				t.Errorf("after %d rounds: Used=%d, the file holds %d", rounds, got, fi.Size())
			}
			// The rest of the quota is there, to the byte.
			rest := quota - fi.Size()
			fl, err := views[0].OpenFile("/rest.bin", os.O_WRONLY|os.O_CREATE|os.O_EXCL)
			if err != nil {
				t.Fatal(err)
			}
			n, err := fl.ReadFrom(io.LimitReader(zeros{}, rest))
			if err != nil || n != rest {
				t.Fatalf("uploading the remaining %d bytes: n=%d err=%v", rest, n, err)
			}
			if err := fl.Close(); err != nil {
				t.Fatal(err)
			}
			if got := u.Used(); got != quota {
				t.Errorf("Used=%d after filling the quota, want %d", got, quota)
			}
			fl, err = views[1].OpenFile("/more.bin", os.O_WRONLY|os.O_CREATE|os.O_EXCL)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := fl.Write([]byte("x")); !errors.Is(err, homefs.ErrNoSpace) {
				t.Errorf("one byte past the quota: err=%v, want ErrNoSpace", err)
			}
			fl.Close()
		})
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }
