package homefs

import (
	"errors"
	"io"
	"os"
	"sync"
	"time"
)

// File is an open file of a session. It does not embed *os.File: the
// methods it would promote (ReadFrom, WriteTo, WriteAt, WriteString) would
// bypass the quota and the counters. Instead ReadFrom and WriteTo hand the
// *os.File a LimitedReader, so uploads still splice and downloads still
// sendfile, a chunk at a time. Its methods may be called from several
// goroutines (SFTP clients write at offsets in parallel).
type File struct {
	fs      *FS
	f       *os.File
	ino     *inodeLock // serializes size changes of the file with other handles
	name    string     // client path, for logs
	rel     string     // root-relative name
	op      string
	started time.Time

	readable, writable, appendMode bool

	mu sync.Mutex
	// Upload state: the size when opened (after O_TRUNC), the current
	// size and write position, whether the file was created or replaced
	// by this upload (removed again if the quota stops it).
	orig, size, pos int64
	replace         bool

	n        int64 // bytes transferred
	exceeded bool  // the quota stopped the upload
	xferErr  error // the transfer failed or was aborted
	closed   bool
}

// Name returns the client's path of the file.
func (fl *File) Name() string { return fl.name }

// Stat returns the open file's information.
func (fl *File) Stat() (os.FileInfo, error) {
	fi, err := fl.f.Stat()
	return fi, MapError(err)
}

func (fl *File) canRead() bool { return !fl.writable || fl.readable }

// Read implements io.Reader.
func (fl *File) Read(p []byte) (int, error) {
	if !fl.canRead() {
		return 0, ErrPermission
	}
	n, err := fl.f.Read(p)
	fl.countOut(int64(n))
	if err != nil && !errors.Is(err, io.EOF) {
		err = MapError(err)
	}
	return n, err
}

// ReadAt implements io.ReaderAt.
func (fl *File) ReadAt(p []byte, off int64) (int, error) {
	if !fl.canRead() {
		return 0, ErrPermission
	}
	n, err := fl.f.ReadAt(p, off)
	fl.countOut(int64(n))
	if err != nil && !errors.Is(err, io.EOF) {
		err = MapError(err)
	}
	return n, err
}

// WriteTo implements io.WriterTo: downloads. Each round hands w a
// LimitedReader over the *os.File, which *net.TCPConn.ReadFrom turns into
// sendfile(2).
func (fl *File) WriteTo(w io.Writer) (int64, error) {
	if !fl.canRead() {
		return 0, ErrPermission
	}
	if err := fl.fs.track(fl, w); err != nil {
		return 0, err
	}
	defer fl.fs.untrack(fl)
	var total int64
	for {
		if fl.fs.isKilled() {
			return total, ErrClosed
		}
		n, err := io.Copy(w, &io.LimitedReader{R: fl.f, N: chunk})
		total += n
		fl.countOut(n)
		if err != nil {
			return total, err
		}
		if n < chunk {
			return total, nil
		}
	}
}

func (fl *File) countOut(n int64) {
	if n > 0 {
		fl.mu.Lock()
		fl.n += n
		fl.mu.Unlock()
		fl.fs.obs.Transferred(0, n)
	}
}

// Seek implements io.Seeker (resumed transfers).
func (fl *File) Seek(offset int64, whence int) (int64, error) {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	p, err := fl.f.Seek(offset, whence)
	if err != nil {
		return p, MapError(err)
	}
	if !fl.appendMode {
		fl.pos = p
	}
	return p, nil
}

// Write implements io.Writer with the quota: a write that does not fit is
// refused whole with ErrNoSpace.
func (fl *File) Write(p []byte) (int, error) {
	if !fl.writable {
		return 0, ErrPermission
	}
	fl.mu.Lock()
	defer fl.mu.Unlock()
	if fl.fs.isKilled() {
		return 0, ErrClosed
	}
	fl.ino.mu.Lock()
	defer fl.ino.mu.Unlock()
	before, err := fileSize(fl.f)
	if err != nil {
		return 0, MapError(err)
	}
	off := fl.pos
	if fl.appendMode {
		off = before
	}
	got, ok := fl.reserveLocked(off, int64(len(p)), before)
	if !ok {
		return 0, ErrNoSpace
	}
	n, err := fl.f.Write(p)
	fl.settleLocked(off, int64(n), before, got)
	fl.pos = off + int64(n)
	return n, MapError(err)
}

// WriteAt implements io.WriterAt with the quota, for protocols that write
// at offsets (SFTP). Writes at different offsets may run in parallel; each
// one is charged only for what it adds past the end of the file.
func (fl *File) WriteAt(p []byte, off int64) (int, error) {
	if !fl.writable || fl.appendMode {
		return 0, ErrPermission
	}
	if off < 0 {
		return 0, ErrInvalidName
	}
	fl.mu.Lock()
	defer fl.mu.Unlock()
	if fl.fs.isKilled() {
		return 0, ErrClosed
	}
	fl.ino.mu.Lock()
	defer fl.ino.mu.Unlock()
	before, err := fileSize(fl.f)
	if err != nil {
		return 0, MapError(err)
	}
	got, ok := fl.reserveLocked(off, int64(len(p)), before)
	if !ok {
		return 0, ErrNoSpace
	}
	n, err := fl.f.WriteAt(p, off)
	fl.settleLocked(off, int64(n), before, got)
	return n, MapError(err)
}

// reserveLocked reserves the growth a write of n bytes at off causes to
// a file of size cur; ok is false (and the upload marked as stopped by the
// quota) when it does not fit. The caller holds the inode lock.
func (fl *File) reserveLocked(off, n, cur int64) (int64, bool) {
	need := max(0, off+n-cur)
	if need == 0 {
		return 0, true
	}
	got := fl.fs.usage.reserve(need)
	if got < need {
		fl.fs.usage.commit(got, 0)
		fl.exceeded = true
		return 0, false
	}
	return got, true
}

// WriteString implements io.StringWriter.
func (fl *File) WriteString(s string) (int, error) { return fl.Write([]byte(s)) }

// ReadFrom implements io.ReaderFrom: uploads. Each round reserves up to a
// chunk of quota and hands the *os.File a LimitedReader of that size, so
// that *os.File.ReadFrom can splice(2) from the socket. When the quota is
// used up, one more byte is read: end of stream means the upload fitted
// exactly, a byte means it does not (ErrNoSpace).
func (fl *File) ReadFrom(r io.Reader) (int64, error) {
	if !fl.writable {
		return 0, ErrPermission
	}
	if err := fl.fs.track(fl, r); err != nil {
		return 0, err
	}
	defer fl.fs.untrack(fl)
	fl.mu.Lock()
	defer fl.mu.Unlock()
	var total int64
	for {
		if fl.fs.isKilled() {
			return total, ErrClosed
		}
		fl.ino.mu.Lock()
		before, err := fileSize(fl.f)
		if err != nil {
			fl.ino.mu.Unlock()
			return total, MapError(err)
		}
		off := fl.pos
		if fl.appendMode {
			off = before
		}
		room := max(0, before-off) // overwriting inside the file costs nothing
		limit := int64(chunk)
		var got int64
		if limit > room {
			got = fl.fs.usage.reserve(limit - room)
			limit = room + got
		}
		if limit == 0 {
			fl.ino.mu.Unlock()
			var b [1]byte
			for {
				m, err := r.Read(b[:])
				if m > 0 {
					fl.exceeded = true
					return total, ErrNoSpace
				}
				if errors.Is(err, io.EOF) {
					return total, nil
				}
				if err != nil {
					return total, err
				}
			}
		}
		lr := &io.LimitedReader{R: r, N: limit}
		n, err := fl.f.ReadFrom(lr)
		fl.settleLocked(off, n, before, got)
		fl.ino.mu.Unlock()
		fl.pos = off + n
		total += n
		if err != nil {
			return total, MapError(err)
		}
		if n < limit {
			return total, nil
		}
	}
}

// settleLocked records n bytes written at off to a file that had size
// before, and settles a reservation of reserved bytes: the growth is the
// file's real change of size, so that writers of the same file through
// other handles are not counted twice. The caller holds the inode lock.
func (fl *File) settleLocked(off, n, before, reserved int64) {
	after, err := fileSize(fl.f)
	if err != nil {
		after = max(before, off+n)
	}
	fl.size = after
	fl.usageCommit(reserved, after-before, n)
}

func (fl *File) usageCommit(reserved, growth, n int64) {
	fl.fs.usage.commit(reserved, growth)
	if n > 0 {
		fl.n += n
		fl.fs.obs.Transferred(n, 0)
	}
}

// Truncate changes the file's size: growing it is charged to the quota,
// shrinking it gives the bytes back. Needs write.
func (fl *File) Truncate(size int64) error {
	if !fl.writable {
		return ErrPermission
	}
	if size < 0 {
		return ErrInvalidName
	}
	fl.mu.Lock()
	defer fl.mu.Unlock()
	fl.ino.mu.Lock()
	defer fl.ino.mu.Unlock()
	cur, err := fileSize(fl.f)
	if err != nil {
		return MapError(err)
	}
	var got int64
	if size > cur {
		need := size - cur
		if got = fl.fs.usage.reserve(need); got < need {
			fl.fs.usage.commit(got, 0)
			return ErrNoSpace
		}
	}
	if err := fl.f.Truncate(size); err != nil {
		fl.fs.usage.commit(got, 0)
		return MapError(err)
	}
	fl.fs.usage.commit(got, size-cur)
	fl.size = size
	fl.orig = min(fl.orig, size)
	return nil
}

// Readdir is there for interfaces that want it: files opened here are
// never folders.
func (fl *File) Readdir(int) ([]os.FileInfo, error) { return nil, ErrNotDir }

// Readdirnames is there for interfaces that want it.
func (fl *File) Readdirnames(int) ([]string, error) { return nil, ErrNotDir }

// Sync flushes the file to disk.
func (fl *File) Sync() error { return MapError(fl.f.Sync()) }

// Abort tells the file that its transfer failed or was aborted; call it
// before Close.
func (fl *File) Abort(err error) {
	fl.mu.Lock()
	fl.xferErr = err
	fl.mu.Unlock()
}

// Close closes the file. An upload stopped by the quota is undone: a file
// it created or replaced is removed, a resumed or appended one is
// truncated back to its size before the upload. Interrupted uploads are
// otherwise kept, so that they can be resumed.
func (fl *File) Close() error {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	if fl.closed {
		return ErrClosed
	}
	fl.closed = true
	defer fl.fs.release()
	if fl.exceeded {
		fl.undo()
	}
	err := fl.f.Close()
	fl.ino.put()
	result := "ok"
	switch {
	case fl.exceeded:
		result = "quota"
	case fl.xferErr != nil:
		result = "aborted"
	case err != nil:
		result = "error"
	}
	fl.fs.obs.TransferEnded(fl.op, fl.name, fl.n, time.Since(fl.started), result, fl.xferErr)
	if err != nil && fl.writable {
		return MapError(err)
	}
	return nil
}

func (fl *File) undo() {
	target := fl.orig
	if fl.replace {
		target = 0
	}
	fl.ino.mu.Lock()
	cur, err := fileSize(fl.f)
	if err == nil && cur > target {
		err = fl.f.Truncate(target)
		if err == nil {
			fl.fs.usage.add(target - cur)
			fl.size = target
		}
	}
	fl.ino.mu.Unlock()
	if err != nil {
		fl.fs.log.Warn("undo upload over quota", "file", fl.name, "err", err)
		fl.fs.usage.markStale()
		return
	}
	if !fl.replace {
		return
	}
	// Remove the file only if the name still leads to it.
	mine, err1 := fl.f.Stat()
	now, err2 := fl.fs.root.Lstat(fl.rel)
	if err1 == nil && err2 == nil && os.SameFile(mine, now) {
		if err := fl.fs.root.Remove(fl.rel); err != nil {
			fl.fs.log.Warn("remove upload over quota", "file", fl.name, "err", err)
		}
	}
}
