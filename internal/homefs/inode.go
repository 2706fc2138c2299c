package homefs

import (
	"os"
	"sync"
	"sync/atomic"
)

// Concurrent writers of one file (two sessions overwriting it, an SFTP
// client with several handles) must count each size change once (issue
// 17 item 8). Every change a File makes to the size of its file runs under
// the file's inode lock, shared by all open handles of that inode in this
// process, and is charged as the difference of the file's real size
// (fstat) before and after it, not as what this handle believes the size
// to be. Changes made outside the process (the web app, another node) are
// seen by the usage scanner.

// openat2Off is set once openat2 turns out to be unavailable
// (open_linux.go); then files open through os.Root.
var openat2Off atomic.Bool

type inodeKey struct{ dev, ino uint64 }

// opened is a file opened by openat2 and what fstat said about it.
type opened struct {
	fh   *os.File
	key  inodeKey
	own  bool // the inode could not be read: no shared lock
	size int64
}

type inodeLock struct {
	mu   sync.Mutex
	key  inodeKey
	own  bool // not shared: the inode could not be read
	refs int  // guarded by inodes.mu
}

var inodes = struct {
	mu sync.Mutex
	m  map[inodeKey]*inodeLock
}{m: map[inodeKey]*inodeLock{}}

// lockForKey returns the lock of the inode key, counted as one more user;
// give it back with put. A file whose inode could not be read (own) gets
// a lock of its own (no sharing).
func lockForKey(k inodeKey, own bool) *inodeLock {
	if own {
		return &inodeLock{own: true}
	}
	inodes.mu.Lock()
	defer inodes.mu.Unlock()
	l := inodes.m[k]
	if l == nil {
		l = &inodeLock{key: k}
		inodes.m[k] = l
	}
	l.refs++
	return l
}

// put gives back a lock taken with lockFor.
func (l *inodeLock) put() {
	if l == nil || l.own {
		return
	}
	inodes.mu.Lock()
	defer inodes.mu.Unlock()
	l.refs--
	if l.refs == 0 {
		delete(inodes.m, l.key)
	}
}

// fileSize returns the open file's real size.
func fileSize(fh *os.File) (int64, error) {
	fi, err := fh.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}
