package homefs

import (
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"
)

var process = sync.OnceValues(func() (fs.FileMode, bool) {
	v, ok := procStatus("Umask")
	if !ok {
		return 0, false
	}
	m, err := strconv.ParseUint(v, 8, 32)
	if err != nil || m > 0o777 {
		return 0, false
	}
	return fs.FileMode(m), true
})

// ProcessUmask returns the process's umask (Linux 4.7+), which the kernel
// applies to every file and folder the server creates; ok is false when
// it cannot be read, and then every create is followed by a chmod.
func ProcessUmask() (umask fs.FileMode, ok bool) { return process() }

// CanChown reports whether the process may give files to other users:
// CAP_CHOWN in its effective set (root, or a service granted it).
func CanChown() bool {
	if v, ok := procStatus("CapEff"); ok {
		if caps, err := strconv.ParseUint(v, 16, 64); err == nil {
			return caps&(1<<0) != 0 // CAP_CHOWN is capability 0
		}
	}
	return os.Geteuid() == 0
}

// procStatus returns a field of /proc/self/status.
func procStatus(key string) (string, bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "", false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}
