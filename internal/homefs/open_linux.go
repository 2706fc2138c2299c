package homefs

import (
	"errors"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// Files are opened with one openat2(2) call (Linux 5.6+) and
// RESOLVE_BENEATH: the kernel resolves the whole path below the home's
// folder and refuses, atomically, any "..", absolute symlink or relative
// symlink that would leave it (EXDEV); RESOLVE_NO_MAGICLINKS refuses
// /proc-style links. Symlinks that stay inside the home are followed, as
// os.Root follows them. os.Root gets there in user space: an openat per
// path component and a close per folder, then four fcntl calls and an
// epoll_ctl to learn that a regular file cannot be polled, so ten system
// calls for a file two folders down against three here (README, "Small
// uploads"). Where openat2 is missing (ENOSYS: an old kernel or a seccomp
// filter), every open goes through os.Root instead.

// openResolve is how openat2 resolves paths below the home.
const openResolve = unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS

// openat2 opens the root-relative name n below the home. ok is false when
// openat2 is not available: the caller then opens through os.Root. The
// error is an os error for MapError, or ErrPermission for a path that
// leads out of the home.
func (f *FS) openat2(n string, flag int, perm fs.FileMode) (fd int, ok bool, err error) {
	if openat2Off.Load() {
		return -1, false, nil
	}
	dir, err := f.rootDir()
	if err != nil {
		return -1, false, nil //nolint:nilerr // the os.Root path reports its own error
	}
	rc, err := dir.SyscallConn()
	if err != nil {
		return -1, false, nil //nolint:nilerr // as above
	}
	how := unix.OpenHow{Flags: uint64(flag | unix.O_CLOEXEC | unix.O_NOCTTY), Resolve: openResolve}
	if flag&os.O_CREATE != 0 {
		how.Mode = uint64(perm.Perm())
	}
	fd = -1
	var oerr error
	if cerr := rc.Control(func(dfd uintptr) {
		for {
			fd, oerr = unix.Openat2(int(dfd), n, &how)
			if !errors.Is(oerr, unix.EINTR) {
				return
			}
		}
	}); cerr != nil {
		return -1, false, nil //nolint:nilerr // as above
	}
	switch {
	case oerr == nil:
		return fd, true, nil
	case errors.Is(oerr, unix.ENOSYS):
		openat2Off.Store(true)
		return -1, false, nil
	case errors.Is(oerr, unix.EXDEV):
		// RESOLVE_BENEATH: the path leads out of the home.
		return -1, true, ErrPermission
	}
	return -1, true, &os.PathError{Op: "openat2", Path: n, Err: oerr}
}

// createBeneath creates the regular file n (flag includes O_CREATE and
// O_EXCL, so the name cannot be a symlink or anything but a new file).
func (f *FS) createBeneath(n string, flag int, perm fs.FileMode) (opened, bool, error) {
	fd, ok, err := f.openat2(n, flag, perm)
	if !ok || err != nil {
		return opened{}, ok, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		_ = unix.Close(fd)
		return opened{}, true, &os.PathError{Op: "fstat", Path: n, Err: err}
	}
	return opened{fh: os.NewFile(uintptr(fd), n), key: inodeKey{uint64(st.Dev), uint64(st.Ino)}, size: st.Size}, true, nil
}

// openBeneath opens the existing regular file n (flag without O_CREATE or
// O_TRUNC). It opens with O_NONBLOCK, so that a FIFO or a device in the
// file's place cannot block the open, and refuses anything but a regular
// file with ErrNotFile before a byte moves; then O_NONBLOCK is taken off
// again.
func (f *FS) openBeneath(n string, flag int) (opened, bool, error) {
	fd, ok, err := f.openat2(n, flag|unix.O_NONBLOCK, 0)
	switch {
	case !ok:
		return opened{}, false, nil
	case errors.Is(err, unix.ENXIO):
		// A FIFO without a reader opened for writing, or a device
		// without its driver: not a file either way.
		return opened{}, true, ErrNotFile
	case err != nil:
		return opened{}, true, err
	}
	fail := func(op string, err error) (opened, bool, error) {
		_ = unix.Close(fd)
		if err == nil {
			return opened{}, true, ErrNotFile
		}
		return opened{}, true, &os.PathError{Op: op, Path: n, Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fail("fstat", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return fail("", nil)
	}
	for {
		// F_SETFL changes only the status flags (O_APPEND, O_NONBLOCK
		// and the like), not the access mode.
		_, err := unix.FcntlInt(uintptr(fd), unix.F_SETFL, flag&^unix.O_NONBLOCK)
		if err == nil {
			break
		}
		if !errors.Is(err, unix.EINTR) {
			return fail("fcntl", err)
		}
	}
	return opened{fh: os.NewFile(uintptr(fd), n), key: inodeKey{uint64(st.Dev), uint64(st.Ino)}, size: st.Size}, true, nil
}
