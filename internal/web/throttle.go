package web

import (
	"sync"
	"time"
)

const (
	// loginMaxFailures failed logins from one address within loginWindow
	// block further attempts from it until the window has passed.
	loginMaxFailures = 5
	loginWindow      = 15 * time.Minute
	// throttleMaxAddrs bounds the limiter's memory.
	throttleMaxAddrs = 10000
)

// loginThrottle counts failed panel logins per client address in memory.
type loginThrottle struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	fails  map[string][]time.Time
}

func newLoginThrottle(max int, window time.Duration) *loginThrottle {
	return &loginThrottle{max: max, window: window, fails: make(map[string][]time.Time)}
}

// recent returns addr's failures within the window at now (lock held).
func (t *loginThrottle) recent(addr string, now time.Time) []time.Time {
	list := t.fails[addr]
	i := 0
	for i < len(list) && now.Sub(list[i]) >= t.window {
		i++
	}
	list = list[i:]
	if len(list) == 0 {
		delete(t.fails, addr)
	} else {
		t.fails[addr] = list
	}
	return list
}

// blocked reports whether addr may not try now, and for how long.
func (t *loginThrottle) blocked(addr string, now time.Time) (time.Duration, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	list := t.recent(addr, now)
	if len(list) < t.max {
		return 0, false
	}
	return list[len(list)-t.max].Add(t.window).Sub(now), true
}

// fail records a failed login from addr.
func (t *loginThrottle) fail(addr string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.fails) >= throttleMaxAddrs {
		for a := range t.fails {
			t.recent(a, now)
		}
		for a := range t.fails { // still full: forget arbitrary addresses
			if len(t.fails) < throttleMaxAddrs {
				break
			}
			delete(t.fails, a)
		}
	}
	list := append(t.recent(addr, now), now)
	if len(list) > t.max {
		list = list[len(list)-t.max:]
	}
	t.fails[addr] = list
}

// succeed forgets addr's failures.
func (t *loginThrottle) succeed(addr string) {
	t.mu.Lock()
	delete(t.fails, addr)
	t.mu.Unlock()
}
