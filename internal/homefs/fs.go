package homefs

import (
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// chunk is how much one splice/sendfile round moves before the counters
// advance and the next quota reservation is taken (poll.SendFile's own
// round is 4 MiB too).
const chunk = 4 << 20

// Observer is told about transfers; a protocol's session implements it.
type Observer interface {
	// TransferStarted: op is OpDownload, OpUpload or OpAppend; name the
	// client's path.
	TransferStarted(op, name string)
	// Transferred adds bytes received (in) or sent (out).
	Transferred(in, out int64)
	// TransferEnded: n bytes in d; result is ok, aborted, quota or error.
	TransferEnded(op, name string, n int64, d time.Duration, result string, err error)
}

// Transfer operations as an Observer sees them.
const (
	OpDownload = "download"
	OpUpload   = "upload"
	OpAppend   = "append"
)

type nopObserver struct{}

func (nopObserver) TransferStarted(string, string)                                    {}
func (nopObserver) Transferred(int64, int64)                                          {}
func (nopObserver) TransferEnded(string, string, int64, time.Duration, string, error) {}

// FS is one session's view of an account's home (or a site root),
// confined by an os.Root opened on it, so that the kernel resolves every
// path and symlink inside it. Read and write permissions are checked on
// every call; writes are charged to the account's Usage. FTP, SFTP and the
// web file manager all work through it.
type FS struct {
	root      *os.Root
	dirOnce   sync.Once
	dir       *os.File // the root's folder, for openat2 (open_linux.go)
	dirErr    error
	read      bool
	write     bool
	fileMode  fs.FileMode // mode of created files (0666 &^ umask)
	dirMode   fs.FileMode // mode of created folders (0777 &^ umask)
	chmodMask fs.FileMode // Chmod keeps only these bits
	uid, gid  int         // owner of created files; -1 = leave as is
	usage     *Usage
	obs       Observer
	log       *slog.Logger

	// The process umask would clear bits of fileMode (dirMode), or is
	// unknown: a chmod follows each create.
	chmodFile, chmodDir bool

	mu     sync.Mutex
	open   int  // files open on root
	closed bool // close root when the last file closes
	killed bool // the session is being closed: no more transfers
	peers  map[*File]io.Closer
}

// Options configure New.
type Options struct {
	Read, Write bool
	Umask       fs.FileMode // files 0666 &^ Umask, folders 0777 &^ Umask
	UID, GID    int         // owner of created files and folders; -1 = no chown
	Usage       *Usage      // the account's quota pool; nil = unlimited
	Observer    Observer
	Logger      *slog.Logger
}

// New returns the view of root that o describes. The FS owns root: Close
// releases it once no file is open on it any more.
func New(root *os.Root, o Options) *FS {
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Usage == nil {
		o.Usage = NewUsage(0, "", "", -1)
		o.Usage.scanned = true
	}
	m := o.Umask & 0o777
	f := &FS{root: root, read: o.Read, write: o.Write, fileMode: 0o666 &^ m, dirMode: 0o777 &^ m,
		chmodMask: 0o777 &^ m, uid: o.UID, gid: o.GID, usage: o.Usage, obs: o.Observer, log: o.Logger}
	pm, known := ProcessUmask()
	f.chmodFile = !known || f.fileMode&pm != 0
	f.chmodDir = !known || f.dirMode&pm != 0
	return f
}

// CanRead reports whether the view may list and download.
func (f *FS) CanRead() bool { return f.read }

// CanWrite reports whether the view may change anything.
func (f *FS) CanWrite() bool { return f.write }

// Usage returns the quota pool the view charges.
func (f *FS) Usage() *Usage { return f.usage }

// rel turns the client's absolute path into a name relative to the root.
// path.Clean removes every ".." lexically; os.Root refuses what remains
// (symlinks leading out).
func rel(name string) string {
	p := path.Clean("/" + name)
	if p == "/" {
		return "."
	}
	return p[1:]
}

// Close releases the root once no file is open on it any more.
func (f *FS) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.closed = true
	if f.open == 0 {
		f.closeRoot()
	}
}

// closeRoot closes the root and the folder openat2 opens below. The
// caller holds f.mu, and no file is being opened.
func (f *FS) closeRoot() {
	if f.dir != nil {
		f.dir.Close()
	}
	f.root.Close()
}

// rootDir returns the root's folder, opened on first use.
func (f *FS) rootDir() (*os.File, error) {
	f.dirOnce.Do(func() { f.dir, f.dirErr = f.root.Open(".") })
	return f.dir, f.dirErr
}

// Kill stops the session's transfers: files refuse further I/O and the
// connections they are copying to or from are closed.
func (f *FS) Kill() {
	f.mu.Lock()
	f.killed = true
	peers := make([]io.Closer, 0, len(f.peers))
	for _, c := range f.peers {
		peers = append(peers, c)
	}
	f.mu.Unlock()
	for _, c := range peers {
		_ = c.Close()
	}
}

// track records the connection a file is being copied to or from, so that
// kill can interrupt the copy; it fails once the session is killed.
func (f *FS) track(fl *File, peer any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.killed {
		return ErrClosed
	}
	if c, ok := peer.(io.Closer); ok {
		if f.peers == nil {
			f.peers = map[*File]io.Closer{}
		}
		f.peers[fl] = c
	}
	return nil
}

func (f *FS) untrack(fl *File) {
	f.mu.Lock()
	delete(f.peers, fl)
	f.mu.Unlock()
}

func (f *FS) isKilled() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.killed
}

func (f *FS) acquire() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed || f.killed {
		return false
	}
	f.open++
	return true
}

func (f *FS) release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.open--
	if f.closed && f.open == 0 {
		f.closeRoot()
	}
}

// chown gives a created file or folder to the site's system user.
func (f *FS) chown(name string, fh *os.File) error {
	if f.uid < 0 || f.gid < 0 {
		return nil
	}
	if fh != nil {
		return fh.Chown(f.uid, f.gid)
	}
	return f.root.Lchown(name, f.uid, f.gid)
}

// Stat returns the file name leads to. It needs no permission: CWD, SIZE, MDTM, MLST
// and RNFR rely on it, and a drop box must still find its folders and the
// size of a partial upload to resume it.
func (f *FS) Stat(name string) (os.FileInfo, error) {
	fi, err := f.root.Stat(rel(name))
	return fi, MapError(err)
}

// Lstat returns the file name names, not following a final symlink.
func (f *FS) Lstat(name string) (os.FileInfo, error) {
	fi, err := f.root.Lstat(rel(name))
	return fi, MapError(err)
}

// namedInfo shows a symlink's target under the link's name.
type namedInfo struct {
	fs.FileInfo
	name string
}

func (n namedInfo) Name() string { return n.name }

// ReadDir lists a folder (FTP LIST, NLST, MLSD; SFTP READDIR; the file
// manager), sorted by name. Symlinks that resolve
// inside the home are shown as what they point to; those leading outside
// it (or absolute, dangling, looping) are hidden.
func (f *FS) ReadDir(name string) ([]os.FileInfo, error) {
	if !f.read {
		return nil, ErrPermission
	}
	dir := rel(name)
	d, err := f.root.Open(dir)
	if err != nil {
		return nil, MapError(err)
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, MapError(err)
	}
	slices.Sort(names)
	infos, err := lstatAll(d, names)
	if err != nil {
		return nil, MapError(err)
	}
	out := infos[:0]
	for i, fi := range infos {
		if fi == nil {
			continue // gone since it was listed
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			t, err := f.root.Stat(path.Join(dir, names[i]))
			if err != nil {
				continue
			}
			fi = namedInfo{t, names[i]}
		}
		out = append(out, fi)
	}
	return out, nil
}

// lstatChunk is how many entries of a listing one goroutine stats at a
// time; folders of at least two chunks are shared between goroutines.
const lstatChunk = 128

// lstatAll returns the lstat of each of names (single components, as
// Readdirnames returns them) in the folder d, nil for those that cannot be
// read (e.g. removed meanwhile). Listing a large folder is mostly these
// system calls: up to GOMAXPROCS goroutines take chunks of them in turn,
// which cuts the latency of LIST on a large folder (the CPU spent is the
// same). The caller works too and, when the machine is busy, simply does
// most chunks itself: it never waits for more than the chunk a helper is
// on. fstatat(2) on the folder's descriptor into a compact FileInfo
// allocates a third of what os.Root.Lstat does.
func lstatAll(d *os.File, names []string) ([]os.FileInfo, error) {
	rc, err := d.SyscallConn()
	if err != nil {
		return nil, err
	}
	infos := make([]os.FileInfo, len(names))
	var next atomic.Int64
	work := func() {
		_ = rc.Control(func(fd uintptr) {
			var st unix.Stat_t
			for {
				hi := int(next.Add(lstatChunk))
				lo := hi - lstatChunk
				if lo >= len(names) {
					return
				}
				for i := lo; i < min(hi, len(names)); i++ {
					err := unix.Fstatat(int(fd), names[i], &st, unix.AT_SYMLINK_NOFOLLOW)
					for err == unix.EINTR {
						err = unix.Fstatat(int(fd), names[i], &st, unix.AT_SYMLINK_NOFOLLOW)
					}
					if err == nil {
						infos[i] = newStatInfo(names[i], &st)
					}
				}
			}
		})
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(names)/lstatChunk) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	return infos, nil
}

// statInfo is the fs.FileInfo of a listing entry.
type statInfo struct {
	name  string
	size  int64
	mode  fs.FileMode
	mtime time.Time
}

func newStatInfo(name string, st *unix.Stat_t) *statInfo {
	m := fs.FileMode(st.Mode & 0o777)
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFBLK:
		m |= fs.ModeDevice
	case unix.S_IFCHR:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFDIR:
		m |= fs.ModeDir
	case unix.S_IFIFO:
		m |= fs.ModeNamedPipe
	case unix.S_IFLNK:
		m |= fs.ModeSymlink
	case unix.S_IFSOCK:
		m |= fs.ModeSocket
	}
	if st.Mode&unix.S_ISUID != 0 {
		m |= fs.ModeSetuid
	}
	if st.Mode&unix.S_ISGID != 0 {
		m |= fs.ModeSetgid
	}
	if st.Mode&unix.S_ISVTX != 0 {
		m |= fs.ModeSticky
	}
	return &statInfo{name: name, size: st.Size, mode: m, mtime: time.Unix(st.Mtim.Sec, st.Mtim.Nsec)}
}

// Name implements fs.FileInfo.
func (i *statInfo) Name() string { return i.name }

// Size implements fs.FileInfo.
func (i *statInfo) Size() int64 { return i.size }

// Mode implements fs.FileInfo.
func (i *statInfo) Mode() fs.FileMode { return i.mode }

// ModTime implements fs.FileInfo.
func (i *statInfo) ModTime() time.Time { return i.mtime }

// IsDir implements fs.FileInfo.
func (i *statInfo) IsDir() bool { return i.mode.IsDir() }

// Sys implements fs.FileInfo.
func (i *statInfo) Sys() any { return nil }

const writeFlags = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREATE | os.O_TRUNC

// Open opens a file for reading.
func (f *FS) Open(name string) (*File, error) { return f.OpenFile(name, os.O_RDONLY) }

// OpenFile opens a regular file. Reading needs read; any of O_WRONLY,
// O_RDWR, O_APPEND, O_CREATE, O_TRUNC needs write (and O_RDWR read too).
// Only regular files open. Files are created with the configured umask.
func (f *FS) OpenFile(name string, flag int) (*File, error) {
	n := rel(name)
	if flag&writeFlags == 0 {
		if !f.read {
			return nil, ErrPermission
		}
		return f.openRead(name, n)
	}
	if !f.write || (flag&os.O_RDWR != 0 && !f.read) {
		return nil, ErrPermission
	}
	return f.openWrite(name, n, flag)
}

func (f *FS) openRead(name, n string) (*File, error) {
	if !f.acquire() {
		return nil, ErrClosed
	}
	o, ok, err := f.openBeneath(n, os.O_RDONLY)
	if !ok {
		o.fh, err = f.openRootRegular(n, os.O_RDONLY)
	}
	if err != nil {
		f.release()
		return nil, MapError(err)
	}
	fl := &File{fs: f, f: o.fh, name: path.Clean("/" + name), rel: n, op: OpDownload, started: time.Now()}
	f.obs.TransferStarted(fl.op, fl.name)
	return fl, nil
}

// openRoot opens n through os.Root, where openat2 is not available:
// created (flag has O_EXCL) or an existing regular file.
func (f *FS) openRoot(n string, flag int, perm fs.FileMode) (opened, error) {
	var (
		fh  *os.File
		err error
	)
	if flag&os.O_CREATE != 0 {
		fh, err = f.root.OpenFile(n, flag, perm)
	} else {
		fh, err = f.openRootRegular(n, flag)
	}
	if err != nil {
		return opened{}, err
	}
	o := opened{fh: fh, own: true}
	if fi, err := fh.Stat(); err == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			o.key, o.own = inodeKey{uint64(st.Dev), uint64(st.Ino)}, false
		}
		o.size = fi.Size()
	}
	return o, nil
}

// openRootRegular opens the existing regular file n through os.Root,
// where openat2 is not available. A FIFO or device would block or
// misbehave on open: it looks first, and checks again once open.
func (f *FS) openRootRegular(n string, flag int) (*os.File, error) {
	fi, err := f.root.Stat(n)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		if fi.IsDir() && flag != os.O_RDONLY {
			return nil, ErrIsDir
		}
		return nil, ErrNotFile
	}
	fh, err := f.root.OpenFile(n, flag, 0)
	if err != nil {
		return nil, err
	}
	if fi, err = fh.Stat(); err != nil || !fi.Mode().IsRegular() {
		fh.Close()
		return nil, ErrNotFile
	}
	return fh, nil
}

func (f *FS) openWrite(name, n string, flag int) (*File, error) {
	if n == "." {
		return nil, ErrIsDir
	}
	if err := f.usage.ensureScanned(); err != nil {
		f.log.Warn("quota scan failed", "account", f.usage.accountID, "err", err)
		return nil, ErrFailed
	}
	if !f.acquire() {
		return nil, ErrClosed
	}
	base := flag &^ (os.O_CREATE | os.O_EXCL | os.O_TRUNC)
	var (
		o       opened
		ok      bool
		err     error
		created bool
	)
	if flag&os.O_CREATE != 0 {
		// Try to create first: then we know for sure the file is new
		// (and may be removed again if it cannot be completed).
		cflag := base | os.O_CREATE | os.O_EXCL
		if o, ok, err = f.createBeneath(n, cflag, f.fileMode); !ok {
			o, err = f.openRoot(n, cflag, f.fileMode)
		}
		switch {
		case err == nil:
			created = true
		case !errors.Is(err, fs.ErrExist) || flag&os.O_EXCL != 0:
			f.release()
			return nil, MapError(err)
		}
	}
	if o.fh == nil {
		if o, ok, err = f.openBeneath(n, base); !ok {
			o, err = f.openRoot(n, base, 0)
		}
		if err != nil {
			f.release()
			return nil, MapError(err)
		}
	}
	fh := o.fh
	ino := lockForKey(o.key, o.own)
	fail := func(err error) (*File, error) {
		ino.put()
		fh.Close()
		if created {
			_ = f.root.Remove(n)
		}
		f.release()
		return nil, err
	}
	if created {
		// Set the mode exactly, whatever the process umask, and give the
		// file to the site's user.
		if f.chmodFile {
			if err := fh.Chmod(f.fileMode); err != nil {
				return fail(MapError(err))
			}
		}
		if err := f.chown(n, fh); err != nil {
			f.log.Warn("chown upload", "err", err)
			return fail(ErrFailed)
		}
	}
	// The truncation is charged by the size the file really had, under
	// its inode lock: sessions overwriting one file at once count it once.
	replace := created
	ino.mu.Lock()
	size := o.size
	if !created {
		// Another handle may have changed the size since the open.
		size, err = fileSize(fh)
	}
	if err == nil && flag&os.O_TRUNC != 0 && size > 0 {
		if err = fh.Truncate(0); err == nil {
			f.usage.add(-size)
			size, replace = 0, true
		}
	}
	ino.mu.Unlock()
	if err != nil {
		return fail(MapError(err))
	}
	op := OpUpload
	var pos int64
	if flag&os.O_APPEND != 0 {
		op, pos = OpAppend, size
	}
	fl := &File{fs: f, f: fh, ino: ino, name: path.Clean("/" + name), rel: n, op: op, started: time.Now(),
		writable: true, appendMode: flag&os.O_APPEND != 0, readable: flag&os.O_RDWR != 0,
		orig: size, size: size, pos: pos, replace: replace}
	f.obs.TransferStarted(fl.op, fl.name)
	return fl, nil
}

// removable checks that name may be removed (write permission, not the
// home itself) and returns its root-relative name and its lstat.
func (f *FS) removable(name string) (string, fs.FileInfo, error) {
	if !f.write {
		return "", nil, ErrPermission
	}
	n := rel(name)
	if n == "." {
		return "", nil, ErrPermission
	}
	fi, err := f.root.Lstat(n)
	if err != nil {
		return "", nil, MapError(err)
	}
	return n, fi, nil
}

// Remove removes a file or a symlink, not a folder.
func (f *FS) Remove(name string) error {
	n, fi, err := f.removable(name)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return ErrIsDir
	}
	if err := f.root.Remove(n); err != nil {
		return MapError(err)
	}
	if fi.Mode().IsRegular() {
		f.usage.add(-fi.Size())
	}
	return nil
}

// RemoveDir removes an empty folder.
func (f *FS) RemoveDir(name string) error {
	n, fi, err := f.removable(name)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return ErrNotDir
	}
	return MapError(f.root.Remove(n))
}

// RemoveAll removes a file or a folder with everything in it.
func (f *FS) RemoveAll(name string) error {
	if !f.write {
		return ErrPermission
	}
	n := rel(name)
	if n == "." {
		return ErrPermission
	}
	err := f.root.RemoveAll(n)
	f.usage.markStale()
	return MapError(err)
}

// Rename moves oldname to newname, replacing a file there.
func (f *FS) Rename(oldname, newname string) error {
	if !f.write {
		return ErrPermission
	}
	o, n := rel(oldname), rel(newname)
	if o == "." || n == "." {
		return ErrPermission
	}
	var replaced int64
	if fi, err := f.root.Lstat(n); err == nil && fi.Mode().IsRegular() {
		replaced = fi.Size()
	}
	if err := f.root.Rename(o, n); err != nil {
		return MapError(err)
	}
	f.usage.add(-replaced)
	return nil
}

// Mkdir creates a folder.
func (f *FS) Mkdir(name string) error {
	if !f.write {
		return ErrPermission
	}
	n := rel(name)
	if n == "." {
		return ErrExists
	}
	return f.mkdir(n)
}

func (f *FS) mkdir(n string) error {
	if err := f.root.Mkdir(n, f.dirMode); err != nil {
		return MapError(err)
	}
	if f.chmodDir {
		if err := f.root.Chmod(n, f.dirMode); err != nil {
			return MapError(err)
		}
	}
	if err := f.chown(n, nil); err != nil {
		f.log.Warn("chown folder", "err", err)
		return ErrFailed
	}
	return nil
}

// MkdirAll creates a folder and the missing folders above it.
func (f *FS) MkdirAll(name string) error {
	if !f.write {
		return ErrPermission
	}
	n := rel(name)
	if n == "." {
		return nil
	}
	cur := ""
	for _, seg := range strings.Split(n, "/") {
		cur = path.Join(cur, seg)
		fi, err := f.root.Stat(cur)
		if err == nil {
			if !fi.IsDir() {
				return ErrNotDir
			}
			continue
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return MapError(err)
		}
		if err := f.mkdir(cur); err != nil {
			return err
		}
	}
	return nil
}

// Chmod changes a mode: needs write; the mode is masked
// by the umask (no set-id, sticky or, by default, group/other write bits).
func (f *FS) Chmod(name string, mode os.FileMode) error {
	if !f.write {
		return ErrPermission
	}
	return MapError(f.root.Chmod(rel(name), mode&f.chmodMask))
}

// Chtimes sets the times of a file: needs write.
func (f *FS) Chtimes(name string, atime, mtime time.Time) error {
	if !f.write {
		return ErrPermission
	}
	return MapError(f.root.Chtimes(rel(name), atime, mtime))
}

// Symlink is never allowed: a link could lead anywhere the server can read.
func (f *FS) Symlink(string, string) error { return ErrPermission }

// Allocate checks that size more bytes fit in the quota (FTP ALLO):
// needs write.
func (f *FS) Allocate(size int64) error {
	if !f.write {
		return ErrPermission
	}
	if err := f.usage.ensureScanned(); err != nil {
		return ErrFailed
	}
	if left := f.usage.available(); left >= 0 && size > left {
		return ErrNoSpace
	}
	return nil
}

// Available returns the bytes left under the quota, or the free space of
// the file system when the account has no quota (FTP AVBL).
func (f *FS) Available() (int64, error) {
	_, free, err := f.Space()
	return free, err
}

// Space returns the quota and what is left of it, or, when the account
// has no quota, the size and free space of the file system holding the
// home (SFTP statvfs, the file manager's gauge).
func (f *FS) Space() (total, free int64, err error) {
	if err := f.usage.ensureScanned(); err != nil {
		return 0, 0, ErrFailed
	}
	if left := f.usage.available(); left >= 0 {
		return f.usage.Limit(), left, nil
	}
	d, err := f.root.Open(".")
	if err != nil {
		return 0, 0, MapError(err)
	}
	defer d.Close()
	sc, err := d.SyscallConn()
	if err != nil {
		return 0, 0, ErrFailed
	}
	var st syscall.Statfs_t
	var serr error
	if err := sc.Control(func(fd uintptr) { serr = syscall.Fstatfs(int(fd), &st) }); err != nil || serr != nil {
		return 0, 0, ErrFailed
	}
	return int64(st.Blocks) * st.Bsize, int64(st.Bavail) * st.Bsize, nil //nolint:gosec // block counts fit
}

// Readlink returns the target of the symlink name as a home-absolute
// path, only when it resolves inside the home; links leading out (or
// absolute, dangling, looping) answer ErrNotFound, as listings hide them.
func (f *FS) Readlink(name string) (string, error) {
	if !f.read {
		return "", ErrPermission
	}
	n := rel(name)
	fi, err := f.root.Lstat(n)
	if err != nil {
		return "", MapError(err)
	}
	if fi.Mode()&fs.ModeSymlink == 0 {
		return "", ErrInvalidName
	}
	t, err := f.root.Readlink(n)
	if err != nil {
		return "", MapError(err)
	}
	if path.IsAbs(t) {
		return "", ErrNotFound
	}
	if _, err := f.root.Stat(n); err != nil {
		return "", ErrNotFound // leads out, dangles or loops
	}
	target := path.Clean(path.Join("/", path.Dir(n), t))
	if strings.HasPrefix(path.Join(path.Dir(n), t), "..") {
		return "", ErrNotFound
	}
	return target, nil
}
