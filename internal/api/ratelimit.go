package api

import (
	"sync"
	"time"
)

// maxBuckets bounds the limiter's memory; beyond it, buckets that have
// refilled are dropped first, then arbitrary ones.
const maxBuckets = 100_000

// limiter counts failed authentications in token buckets, one per key (a
// client address or a token key): a bucket holds burst attempts and regains
// one every refill. Only failures take from a bucket: a client that
// authenticates correctly never uses up its allowance (but shares its
// address's bucket).
type limiter struct {
	mu      sync.Mutex
	burst   float64
	refill  time.Duration
	now     func() time.Time
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(burst int, refill time.Duration, now func() time.Time) *limiter {
	return &limiter{burst: float64(burst), refill: refill, now: now, buckets: make(map[string]*bucket)}
}

// level adds the attempts regained since the bucket was last looked at.
func (l *limiter) level(b *bucket, now time.Time) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(l.burst, b.tokens+float64(d)/float64(l.refill))
		b.at = now
	}
}

// wait returns how long to wait until every key may fail once more; 0
// means the attempt may go ahead.
func (l *limiter) wait(keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var longest time.Duration
	for _, k := range keys {
		b, ok := l.buckets[k]
		if !ok {
			continue
		}
		l.level(b, now)
		if b.tokens < 1 {
			longest = max(longest, time.Duration((1-b.tokens)*float64(l.refill)))
		}
	}
	return longest
}

// fail takes one attempt from the bucket of every key.
func (l *limiter) fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range keys {
		b, ok := l.buckets[k]
		if !ok {
			if len(l.buckets) >= maxBuckets {
				l.sweep(now)
			}
			b = &bucket{tokens: l.burst, at: now}
			l.buckets[k] = b
		}
		l.level(b, now)
		b.tokens = max(b.tokens-1, 0)
	}
}

// sweep forgets buckets that are full again, and if that is not enough,
// a tenth of the rest.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		l.level(b, now)
		if b.tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
	n := len(l.buckets) / 10
	for k := range l.buckets {
		if len(l.buckets) < maxBuckets || n <= 0 {
			break
		}
		delete(l.buckets, k)
		n--
	}
}
