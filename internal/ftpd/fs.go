package ftpd

import (
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	ftpserver "github.com/fclairamb/ftpserverlib"
	"github.com/spf13/afero"
	"golang.org/x/sys/unix"
)

// chunk is how much one splice/sendfile round moves before the counters
// advance and the next quota reservation is taken (poll.SendFile's own
// round is 4 MiB too).
const chunk = 4 << 20

// observer is told about transfers; a session implements it.
type observer interface {
	// transferStarted: op is RETR, STOR or APPE; name the client's path.
	transferStarted(op, name string)
	// transferred adds bytes received (in) or sent (out).
	transferred(in, out int64)
	// transferEnded: n bytes in d; result is ok, aborted, quota or error.
	transferEnded(op, name string, n int64, d time.Duration, result string, err error)
}

type nopObserver struct{}

func (nopObserver) transferStarted(string, string)                                    {}
func (nopObserver) transferred(int64, int64)                                          {}
func (nopObserver) transferEnded(string, string, int64, time.Duration, string, error) {}

// fsys is one session's view of the account's home: an afero.Fs (the
// ftpserverlib ClientDriver) confined by an os.Root opened on the home, so
// that the kernel resolves every path and symlink inside it. Read and
// write permissions are checked on every call; uploads are charged to the
// account's usage.
type fsys struct {
	root      *os.Root
	read      bool
	write     bool
	fileMode  fs.FileMode // mode of created files (0666 &^ umask)
	dirMode   fs.FileMode // mode of created folders (0777 &^ umask)
	chmodMask fs.FileMode // SITE CHMOD keeps only these bits
	uid, gid  int         // owner of created files; -1 = leave as is
	quota     *usage
	obs       observer
	cwd       func() string // the session's current folder, for SITE
	log       *slog.Logger

	// The process umask would clear bits of fileMode (dirMode), or is
	// unknown: a chmod follows each create.
	chmodFile, chmodDir bool

	mu     sync.Mutex
	open   int  // files open on root
	closed bool // close root when the last file closes
	killed bool // the session is being closed: no more transfers
	peers  map[*file]io.Closer
}

var (
	_ ftpserver.ClientDriver                        = (*fsys)(nil)
	_ afero.Lstater                                 = (*fsys)(nil)
	_ ftpserver.ClientDriverExtensionFileList       = (*fsys)(nil)
	_ ftpserver.ClientDriverExtensionRemoveDir      = (*fsys)(nil)
	_ ftpserver.ClientDriverExtensionAvailableSpace = (*fsys)(nil)
	_ ftpserver.ClientDriverExtensionAllocate       = (*fsys)(nil)
	_ ftpserver.ClientDriverExtensionSymlink        = (*fsys)(nil)
	_ ftpserver.ClientDriverExtensionSite           = (*fsys)(nil)
	_ afero.File                                    = (*file)(nil)
	_ ftpserver.FileTransferError                   = (*file)(nil)
	_ io.ReaderFrom                                 = (*file)(nil)
	_ io.WriterTo                                   = (*file)(nil)
)

// fsOptions configure newFS.
type fsOptions struct {
	Read, Write bool
	Umask       fs.FileMode
	UID, GID    int // -1 = no chown
	Quota       *usage
	Observer    observer
	Cwd         func() string
	Logger      *slog.Logger

	// ProcessUmask is the process umask, when ProcessUmaskKnown: creates
	// whose mode it leaves as is need no chmod after them.
	ProcessUmask      fs.FileMode
	ProcessUmaskKnown bool
}

func newFS(root *os.Root, o fsOptions) *fsys {
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	if o.Cwd == nil {
		o.Cwd = func() string { return "/" }
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Quota == nil {
		o.Quota = newUsage(0, "", "", -1)
		o.Quota.scanned = true
	}
	m := o.Umask & 0o777
	f := &fsys{root: root, read: o.Read, write: o.Write, fileMode: 0o666 &^ m, dirMode: 0o777 &^ m,
		chmodMask: 0o777 &^ m, uid: o.UID, gid: o.GID, quota: o.Quota, obs: o.Observer, cwd: o.Cwd, log: o.Logger}
	f.chmodFile = !o.ProcessUmaskKnown || f.fileMode&o.ProcessUmask != 0
	f.chmodDir = !o.ProcessUmaskKnown || f.dirMode&o.ProcessUmask != 0
	return f
}

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

// close releases the root once no file is open on it any more.
func (f *fsys) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.closed = true
	if f.open == 0 {
		f.root.Close()
	}
}

// kill stops the session's transfers: files refuse further I/O and the
// data connections they are copying to or from are closed.
func (f *fsys) kill() {
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
func (f *fsys) track(fl *file, peer any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.killed {
		return errClosed
	}
	if c, ok := peer.(io.Closer); ok {
		if f.peers == nil {
			f.peers = map[*file]io.Closer{}
		}
		f.peers[fl] = c
	}
	return nil
}

func (f *fsys) untrack(fl *file) {
	f.mu.Lock()
	delete(f.peers, fl)
	f.mu.Unlock()
}

func (f *fsys) isKilled() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.killed
}

func (f *fsys) acquire() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed || f.killed {
		return false
	}
	f.open++
	return true
}

func (f *fsys) release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.open--
	if f.closed && f.open == 0 {
		f.root.Close()
	}
}

// chown gives a created file or folder to the site's system user.
func (f *fsys) chown(name string, fh *os.File) error {
	if f.uid < 0 || f.gid < 0 {
		return nil
	}
	if fh != nil {
		return fh.Chown(f.uid, f.gid)
	}
	return f.root.Lchown(name, f.uid, f.gid)
}

// Name implements afero.Fs.
func (f *fsys) Name() string { return "ftpanel" }

// Stat implements afero.Fs. It needs no permission: CWD, SIZE, MDTM, MLST
// and RNFR rely on it, and a drop box must still find its folders and the
// size of a partial upload to resume it.
func (f *fsys) Stat(name string) (os.FileInfo, error) {
	fi, err := f.root.Stat(rel(name))
	return fi, mapError(err)
}

// LstatIfPossible implements afero.Lstater.
func (f *fsys) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	fi, err := f.root.Lstat(rel(name))
	return fi, true, mapError(err)
}

// namedInfo shows a symlink's target under the link's name.
type namedInfo struct {
	fs.FileInfo
	name string
}

func (n namedInfo) Name() string { return n.name }

// ReadDir implements ftpserver.ClientDriverExtensionFileList: the listing
// of LIST, NLST, MLSD and STAT, sorted by name. Symlinks that resolve
// inside the home are shown as what they point to; those leading outside
// it (or absolute, dangling, looping) are hidden.
func (f *fsys) ReadDir(name string) ([]os.FileInfo, error) {
	if !f.read {
		return nil, errPermission
	}
	dir := rel(name)
	d, err := f.root.Open(dir)
	if err != nil {
		return nil, mapError(err)
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, mapError(err)
	}
	slices.Sort(names)
	infos, err := lstatAll(d, names)
	if err != nil {
		return nil, mapError(err)
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

// Open implements afero.Fs: a file opened for reading.
func (f *fsys) Open(name string) (afero.File, error) { return f.OpenFile(name, os.O_RDONLY, 0) }

// Create implements afero.Fs.
func (f *fsys) Create(name string) (afero.File, error) {
	return f.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

// OpenFile implements afero.Fs. Reading needs read; any of O_WRONLY,
// O_RDWR, O_APPEND, O_CREATE, O_TRUNC needs write (and O_RDWR read too).
// Only regular files open. The requested mode is ignored: files are
// created with the configured umask (ftpserverlib asks for 0777).
func (f *fsys) OpenFile(name string, flag int, _ os.FileMode) (afero.File, error) {
	n := rel(name)
	if flag&writeFlags == 0 {
		if !f.read {
			return nil, errPermission
		}
		return f.openRead(name, n)
	}
	if !f.write || (flag&os.O_RDWR != 0 && !f.read) {
		return nil, errPermission
	}
	return f.openWrite(name, n, flag)
}

func (f *fsys) openRead(name, n string) (afero.File, error) {
	// A FIFO or device would block or misbehave on open: look first.
	fi, err := f.root.Stat(n)
	if err != nil {
		return nil, mapError(err)
	}
	if !fi.Mode().IsRegular() {
		return nil, errNotFile
	}
	if !f.acquire() {
		return nil, errClosed
	}
	fh, err := f.root.OpenFile(n, os.O_RDONLY, 0)
	if err != nil {
		f.release()
		return nil, mapError(err)
	}
	if fi, err = fh.Stat(); err != nil || !fi.Mode().IsRegular() {
		fh.Close()
		f.release()
		return nil, errNotFile
	}
	fl := &file{fs: f, f: fh, name: path.Clean("/" + name), rel: n, op: "RETR", started: time.Now()}
	f.obs.transferStarted(fl.op, fl.name)
	return fl, nil
}

func (f *fsys) openWrite(name, n string, flag int) (afero.File, error) {
	if n == "." {
		return nil, errIsDir
	}
	if err := f.quota.ensureScanned(); err != nil {
		f.log.Warn("quota scan failed", "account", f.quota.accountID, "err", err)
		return nil, errFailed
	}
	if !f.acquire() {
		return nil, errClosed
	}
	base := flag &^ (os.O_CREATE | os.O_EXCL | os.O_TRUNC)
	var (
		fh      *os.File
		err     error
		created bool
	)
	if flag&os.O_CREATE != 0 {
		// Try to create first: then we know for sure the file is new
		// (and may be removed again if it cannot be completed).
		fh, err = f.root.OpenFile(n, base|os.O_CREATE|os.O_EXCL, f.fileMode)
		switch {
		case err == nil:
			created = true
		case !errors.Is(err, fs.ErrExist) || flag&os.O_EXCL != 0:
			f.release()
			return nil, mapError(err)
		}
	}
	if fh == nil {
		fi, err := f.root.Stat(n)
		if err != nil {
			f.release()
			return nil, mapError(err)
		}
		if !fi.Mode().IsRegular() {
			f.release()
			if fi.IsDir() {
				return nil, errIsDir
			}
			return nil, errNotFile
		}
		if fh, err = f.root.OpenFile(n, base, 0); err != nil {
			f.release()
			return nil, mapError(err)
		}
	}
	fail := func(err error) (afero.File, error) {
		fh.Close()
		if created {
			_ = f.root.Remove(n)
		}
		f.release()
		return nil, err
	}
	var size int64 // O_CREATE|O_EXCL made a new empty regular file
	if !created {
		fi, err := fh.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return fail(errNotFile)
		}
		size = fi.Size()
	}
	if created {
		// Set the mode exactly, whatever the process umask, and give the
		// file to the site's user.
		if f.chmodFile {
			if err := fh.Chmod(f.fileMode); err != nil {
				return fail(mapError(err))
			}
		}
		if err := f.chown(n, fh); err != nil {
			f.log.Warn("chown upload", "err", err)
			return fail(errFailed)
		}
	}
	replace := created
	if flag&os.O_TRUNC != 0 && size > 0 {
		if err := fh.Truncate(0); err != nil {
			return fail(mapError(err))
		}
		f.quota.add(-size)
		size, replace = 0, true
	}
	op := "STOR"
	var pos int64
	if flag&os.O_APPEND != 0 {
		op, pos = "APPE", size
	}
	fl := &file{fs: f, f: fh, name: path.Clean("/" + name), rel: n, op: op, started: time.Now(),
		writable: true, appendMode: flag&os.O_APPEND != 0, readable: flag&os.O_RDWR != 0,
		orig: size, size: size, pos: pos, replace: replace}
	f.obs.transferStarted(fl.op, fl.name)
	return fl, nil
}

// Remove implements afero.Fs (DELE): files and symlinks, not folders.
func (f *fsys) Remove(name string) error {
	if !f.write {
		return errPermission
	}
	n := rel(name)
	if n == "." {
		return errPermission
	}
	fi, err := f.root.Lstat(n)
	if err != nil {
		return mapError(err)
	}
	if fi.IsDir() {
		return errIsDir
	}
	if err := f.root.Remove(n); err != nil {
		return mapError(err)
	}
	if fi.Mode().IsRegular() {
		f.quota.add(-fi.Size())
	}
	return nil
}

// RemoveDir implements ftpserver.ClientDriverExtensionRemoveDir (RMD):
// empty folders only.
func (f *fsys) RemoveDir(name string) error {
	if !f.write {
		return errPermission
	}
	n := rel(name)
	if n == "." {
		return errPermission
	}
	fi, err := f.root.Lstat(n)
	if err != nil {
		return mapError(err)
	}
	if !fi.IsDir() {
		return errNotDir
	}
	return mapError(f.root.Remove(n))
}

// RemoveAll implements afero.Fs.
func (f *fsys) RemoveAll(name string) error {
	if !f.write {
		return errPermission
	}
	n := rel(name)
	if n == "." {
		return errPermission
	}
	err := f.root.RemoveAll(n)
	f.quota.markStale()
	return mapError(err)
}

// Rename implements afero.Fs (RNFR/RNTO).
func (f *fsys) Rename(oldname, newname string) error {
	if !f.write {
		return errPermission
	}
	o, n := rel(oldname), rel(newname)
	if o == "." || n == "." {
		return errPermission
	}
	var replaced int64
	if fi, err := f.root.Lstat(n); err == nil && fi.Mode().IsRegular() {
		replaced = fi.Size()
	}
	if err := f.root.Rename(o, n); err != nil {
		return mapError(err)
	}
	f.quota.add(-replaced)
	return nil
}

// Mkdir implements afero.Fs (MKD).
func (f *fsys) Mkdir(name string, _ os.FileMode) error {
	if !f.write {
		return errPermission
	}
	n := rel(name)
	if n == "." {
		return errExists
	}
	return f.mkdir(n)
}

func (f *fsys) mkdir(n string) error {
	if err := f.root.Mkdir(n, f.dirMode); err != nil {
		return mapError(err)
	}
	if f.chmodDir {
		if err := f.root.Chmod(n, f.dirMode); err != nil {
			return mapError(err)
		}
	}
	if err := f.chown(n, nil); err != nil {
		f.log.Warn("chown folder", "err", err)
		return errFailed
	}
	return nil
}

// MkdirAll implements afero.Fs.
func (f *fsys) MkdirAll(name string, _ os.FileMode) error {
	if !f.write {
		return errPermission
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
				return errNotDir
			}
			continue
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return mapError(err)
		}
		if err := f.mkdir(cur); err != nil {
			return err
		}
	}
	return nil
}

// Chmod implements afero.Fs (SITE CHMOD): needs write; the mode is masked
// by the umask (no set-id, sticky or, by default, group/other write bits).
func (f *fsys) Chmod(name string, mode os.FileMode) error {
	if !f.write {
		return errPermission
	}
	return mapError(f.root.Chmod(rel(name), mode&f.chmodMask))
}

// Chown implements afero.Fs: never allowed.
func (f *fsys) Chown(string, int, int) error { return errPermission }

// Chtimes implements afero.Fs (MFMT): needs write.
func (f *fsys) Chtimes(name string, atime, mtime time.Time) error {
	if !f.write {
		return errPermission
	}
	return mapError(f.root.Chtimes(rel(name), atime, mtime))
}

// Symlink implements ftpserver.ClientDriverExtensionSymlink: never allowed.
func (f *fsys) Symlink(string, string) error { return errPermission }

// AllocateSpace implements ftpserver.ClientDriverExtensionAllocate (ALLO):
// needs write; refused when the size cannot fit in the quota.
func (f *fsys) AllocateSpace(size int) error {
	if !f.write {
		return errPermission
	}
	if err := f.quota.ensureScanned(); err != nil {
		return errFailed
	}
	if left := f.quota.available(); left >= 0 && int64(size) > left {
		return errNoSpace
	}
	return nil
}

// GetAvailableSpace implements ftpserver.ClientDriverExtensionAvailableSpace
// (AVBL): the bytes left under the quota, or the free space of the file
// system when the account has no quota.
func (f *fsys) GetAvailableSpace(string) (int64, error) {
	if err := f.quota.ensureScanned(); err != nil {
		return 0, errFailed
	}
	if left := f.quota.available(); left >= 0 {
		return left, nil
	}
	d, err := f.root.Open(".")
	if err != nil {
		return 0, mapError(err)
	}
	defer d.Close()
	sc, err := d.SyscallConn()
	if err != nil {
		return 0, errFailed
	}
	var st syscall.Statfs_t
	var serr error
	if err := sc.Control(func(fd uintptr) { serr = syscall.Fstatfs(int(fd), &st) }); err != nil || serr != nil {
		return 0, errFailed
	}
	return int64(st.Bavail) * st.Bsize, nil //nolint:gosec // block counts fit
}

// Site implements ftpserver.ClientDriverExtensionSite: SITE CHMOD only
// (needs write; modes masked), everything else is refused.
func (f *fsys) Site(param string) *ftpserver.AnswerCommand {
	cmd, args, _ := strings.Cut(strings.TrimSpace(param), " ")
	switch strings.ToUpper(cmd) {
	case "CHMOD":
		modeText, target, ok := strings.Cut(strings.TrimSpace(args), " ")
		target = strings.TrimSpace(target)
		mode, err := strconv.ParseUint(modeText, 8, 32)
		if !ok || target == "" || err != nil || mode > 0o7777 {
			return &ftpserver.AnswerCommand{Code: ftpserver.StatusSyntaxErrorParameters, Message: "Usage: SITE CHMOD <octal mode> <path>"}
		}
		if !path.IsAbs(target) {
			target = path.Join(f.cwd(), target)
		}
		if err := f.Chmod(target, os.FileMode(mode)); err != nil {
			return &ftpserver.AnswerCommand{Code: ftpserver.StatusActionNotTaken, Message: "SITE CHMOD: " + err.Error()}
		}
		return &ftpserver.AnswerCommand{Code: ftpserver.StatusOK, Message: "SITE CHMOD command successful"}
	case "HELP":
		return &ftpserver.AnswerCommand{Code: ftpserver.StatusHelpMessage, Message: "SITE CHMOD <octal mode> <path>"}
	default:
		return &ftpserver.AnswerCommand{Code: ftpserver.StatusCommandNotImplemented, Message: "SITE " + strings.ToUpper(cmd) + " is not supported"}
	}
}

// file is an open file of a session. It does not embed *os.File: the
// methods it would promote (ReadFrom, WriteTo, WriteAt, WriteString) would
// bypass the quota and the counters. Instead ReadFrom and WriteTo hand the
// *os.File a LimitedReader, so uploads still splice and downloads still
// sendfile, a chunk at a time.
type file struct {
	fs      *fsys
	f       *os.File
	name    string // client path, for logs
	rel     string // root-relative name
	op      string
	started time.Time

	readable, writable, appendMode bool

	// Upload state: the size when opened (after O_TRUNC), the current
	// size and write position, whether the file was created or replaced
	// by this upload (removed again if the quota stops it).
	orig, size, pos int64
	replace         bool

	n        int64 // bytes transferred
	exceeded bool  // the quota stopped the upload
	xferErr  error // reported by ftpserverlib (ABOR, dropped connection)
	closed   bool
}

// Name implements afero.File.
func (fl *file) Name() string { return fl.name }

// Stat implements afero.File.
func (fl *file) Stat() (os.FileInfo, error) {
	fi, err := fl.f.Stat()
	return fi, mapError(err)
}

// Read implements io.Reader (downloads in ASCII mode).
func (fl *file) Read(p []byte) (int, error) {
	if fl.writable && !fl.readable {
		return 0, errPermission
	}
	n, err := fl.f.Read(p)
	fl.countOut(int64(n))
	if err != nil && !errors.Is(err, io.EOF) {
		err = mapError(err)
	}
	return n, err
}

// ReadAt implements io.ReaderAt.
func (fl *file) ReadAt(p []byte, off int64) (int, error) {
	if fl.writable && !fl.readable {
		return 0, errPermission
	}
	n, err := fl.f.ReadAt(p, off)
	fl.countOut(int64(n))
	if err != nil && !errors.Is(err, io.EOF) {
		err = mapError(err)
	}
	return n, err
}

// WriteTo implements io.WriterTo: downloads. Each round hands w a
// LimitedReader over the *os.File, which *net.TCPConn.ReadFrom turns into
// sendfile(2).
func (fl *file) WriteTo(w io.Writer) (int64, error) {
	if fl.writable && !fl.readable {
		return 0, errPermission
	}
	if err := fl.fs.track(fl, w); err != nil {
		return 0, err
	}
	defer fl.fs.untrack(fl)
	var total int64
	for {
		if fl.fs.isKilled() {
			return total, errClosed
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

func (fl *file) countOut(n int64) {
	if n > 0 {
		fl.n += n
		fl.fs.obs.transferred(0, n)
	}
}

// Seek implements io.Seeker (REST).
func (fl *file) Seek(offset int64, whence int) (int64, error) {
	p, err := fl.f.Seek(offset, whence)
	if err != nil {
		return p, mapError(err)
	}
	if !fl.appendMode {
		fl.pos = p
	}
	return p, nil
}

// Write implements io.Writer with the quota: a write that does not fit is
// refused whole with ErrStorageExceeded (552).
func (fl *file) Write(p []byte) (int, error) {
	if !fl.writable {
		return 0, errPermission
	}
	need := max(0, fl.pos+int64(len(p))-fl.size)
	var got int64
	if need > 0 {
		if got = fl.fs.quota.reserve(need); got < need {
			fl.fs.quota.commit(got, 0)
			fl.exceeded = true
			return 0, errNoSpace
		}
	}
	n, err := fl.f.Write(p)
	fl.advance(int64(n), got)
	return n, mapError(err)
}

// ReadFrom implements io.ReaderFrom: uploads. Each round reserves up to a
// chunk of quota and hands the *os.File a LimitedReader of that size, so
// that *os.File.ReadFrom can splice(2) from the socket. When the quota is
// used up, one more byte is read: end of stream means the upload fitted
// exactly, a byte means it does not (552).
func (fl *file) ReadFrom(r io.Reader) (int64, error) {
	if !fl.writable {
		return 0, errPermission
	}
	if err := fl.fs.track(fl, r); err != nil {
		return 0, err
	}
	defer fl.fs.untrack(fl)
	var total int64
	for {
		if fl.fs.isKilled() {
			return total, errClosed
		}
		room := max(0, fl.size-fl.pos) // overwriting inside the file costs nothing
		limit := int64(chunk)
		var got int64
		if limit > room {
			got = fl.fs.quota.reserve(limit - room)
			limit = room + got
		}
		if limit == 0 {
			var b [1]byte
			for {
				m, err := r.Read(b[:])
				if m > 0 {
					fl.exceeded = true
					return total, errNoSpace
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
		fl.advance(n, got)
		total += n
		if err != nil {
			return total, mapError(err)
		}
		if n < limit {
			return total, nil
		}
	}
}

// advance records n bytes written at the current position and settles a
// reservation of reserved bytes.
func (fl *file) advance(n, reserved int64) {
	end := fl.pos + n
	growth := max(0, end-fl.size)
	if end > fl.size {
		fl.size = end
	}
	fl.pos = end
	fl.fs.quota.commit(reserved, growth)
	if n > 0 {
		fl.n += n
		fl.fs.obs.transferred(n, 0)
	}
}

// WriteAt implements io.WriterAt: not used by ftpserverlib, refused so
// that nothing writes around the quota.
func (fl *file) WriteAt([]byte, int64) (int, error) { return 0, errUnsupported }

// WriteString implements afero.File.
func (fl *file) WriteString(s string) (int, error) { return fl.Write([]byte(s)) }

// Truncate implements afero.File: refused (not used by ftpserverlib).
func (fl *file) Truncate(int64) error { return errUnsupported }

// Readdir implements afero.File: files opened here are never folders.
func (fl *file) Readdir(int) ([]os.FileInfo, error) { return nil, errNotDir }

// Readdirnames implements afero.File.
func (fl *file) Readdirnames(int) ([]string, error) { return nil, errNotDir }

// Sync implements afero.File.
func (fl *file) Sync() error { return mapError(fl.f.Sync()) }

// TransferError implements ftpserver.FileTransferError: called before
// Close when a transfer is aborted or its connection fails.
func (fl *file) TransferError(err error) { fl.xferErr = err }

// Close implements io.Closer. An upload stopped by the quota is undone: a
// file it created or replaced is removed, a resumed or appended one is
// truncated back to its size before the upload. Interrupted uploads are
// otherwise kept, so that they can be resumed.
func (fl *file) Close() error {
	if fl.closed {
		return errClosed
	}
	fl.closed = true
	defer fl.fs.release()
	if fl.exceeded {
		fl.undo()
	}
	err := fl.f.Close()
	result := "ok"
	switch {
	case fl.exceeded:
		result = "quota"
	case fl.xferErr != nil:
		result = "aborted"
	case err != nil:
		result = "error"
	}
	fl.fs.obs.transferEnded(fl.op, fl.name, fl.n, time.Since(fl.started), result, fl.xferErr)
	if err != nil && fl.writable {
		return mapError(err)
	}
	return nil
}

func (fl *file) undo() {
	target := fl.orig
	if fl.replace {
		target = 0
	}
	if fl.size > target {
		if err := fl.f.Truncate(target); err != nil {
			fl.fs.log.Warn("undo upload over quota", "file", fl.name, "err", err)
			fl.fs.quota.markStale()
			return
		}
		fl.fs.quota.add(target - fl.size)
		fl.size = target
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
