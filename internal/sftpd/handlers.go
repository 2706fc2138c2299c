package sftpd

import (
	"errors"
	"io"
	"os"
	"path"
	"reflect"
	"time"

	"github.com/pkg/sftp"

	"ftpanel/internal/homefs"
)

// handlers implements pkg/sftp's request-server handlers over the
// session's homefs.FS. Every path is home-absolute: homefs cleans ".."
// lexically and its os.Root refuses symlinks leading out.
type handlers struct{ c *conn }

var (
	_ sftp.FileReader           = (*handlers)(nil)
	_ sftp.OpenFileWriter       = (*handlers)(nil)
	_ sftp.PosixRenameFileCmder = (*handlers)(nil)
	_ sftp.StatVFSFileCmder     = (*handlers)(nil)
	_ sftp.LstatFileLister      = (*handlers)(nil)
	_ sftp.ReadlinkFileLister   = (*handlers)(nil)
	_ sftp.RealPathFileLister   = (*handlers)(nil)
)

// Fileread implements sftp.FileReader: downloads.
func (h *handlers) Fileread(r *sftp.Request) (io.ReaderAt, error) {
	h.c.touch("Get " + r.Filepath)
	f, err := h.c.fs.OpenFile(r.Filepath, os.O_RDONLY)
	if err != nil {
		return nil, fxError(err)
	}
	return &file{f: f}, nil
}

// Filewrite implements sftp.FileWriter: uploads.
func (h *handlers) Filewrite(r *sftp.Request) (io.WriterAt, error) {
	return h.open(r, "Put")
}

// OpenFile implements sftp.OpenFileWriter: opens for reading and writing.
func (h *handlers) OpenFile(r *sftp.Request) (sftp.WriterAtReaderAt, error) {
	return h.open(r, "Open")
}

func (h *handlers) open(r *sftp.Request, method string) (*file, error) {
	h.c.touch(method + " " + r.Filepath)
	pf := r.Pflags()
	flag := os.O_WRONLY
	// A drop box's client may ask for read and write (pkg/sftp's Create
	// does): it gets write only, and reads on the handle are refused.
	if pf.Read && h.c.fs.CanRead() {
		flag = os.O_RDWR
	}
	if pf.Creat {
		flag |= os.O_CREATE
	}
	if pf.Trunc {
		flag |= os.O_TRUNC
	}
	if pf.Excl {
		flag |= os.O_EXCL
	}
	// SSH_FXF_APPEND is not passed on: SFTP writes carry their offsets,
	// which clients appending set to the end of the file.
	f, err := h.c.fs.OpenFile(r.Filepath, flag)
	if err != nil {
		return nil, fxError(err)
	}
	return &file{f: f}, nil
}

// file adapts a homefs.File: errors mapped to SFTP statuses, aborted
// transfers reported.
type file struct{ f *homefs.File }

func (fl *file) ReadAt(p []byte, off int64) (int, error) {
	n, err := fl.f.ReadAt(p, off)
	if err != nil && !errors.Is(err, io.EOF) {
		err = fxError(err)
	}
	return n, err
}

func (fl *file) WriteAt(p []byte, off int64) (int, error) {
	n, err := fl.f.WriteAt(p, off)
	return n, fxError(err)
}

// TransferError implements sftp.TransferError: the client went away or
// a write failed before the handle was closed.
func (fl *file) TransferError(err error) { fl.f.Abort(err) }

func (fl *file) Close() error { return fxError(fl.f.Close()) }

// Filecmd implements sftp.FileCmder.
func (h *handlers) Filecmd(r *sftp.Request) error {
	h.c.touch(r.Method + " " + r.Filepath)
	err := h.filecmd(r)
	if err != nil {
		h.c.s.log.Debug("request failed", "session", h.c.id, "method", r.Method, "path", clip(r.Filepath), "err", err)
	}
	return err
}

func (h *handlers) filecmd(r *sftp.Request) error {
	fs := h.c.fs
	switch r.Method {
	case "Setstat":
		return fxError(h.setstat(r))
	case "Rename":
		// SFTP v3 rename does not replace an existing name.
		if _, err := fs.Lstat(r.Target); err == nil {
			return fxError(homefs.ErrExists)
		}
		return fxError(fs.Rename(r.Filepath, r.Target))
	case "Rmdir":
		return fxError(fs.RemoveDir(r.Filepath))
	case "Remove":
		return fxError(fs.Remove(r.Filepath))
	case "Mkdir":
		return fxError(fs.Mkdir(r.Filepath))
	case "Symlink":
		return fxError(fs.Symlink(r.Filepath, r.Target))
	case "Link":
		return fxError(homefs.ErrPermission) // hard links could reach files the quota does not see
	}
	return fxError(homefs.ErrUnsupported)
}

// PosixRename implements sftp.PosixRenameFileCmder
// (posix-rename@openssh.com): replaces the target.
func (h *handlers) PosixRename(r *sftp.Request) error {
	h.c.touch("Rename " + r.Filepath)
	return fxError(h.c.fs.Rename(r.Filepath, r.Target))
}

func (h *handlers) setstat(r *sftp.Request) error {
	fs := h.c.fs
	flags, attrs := r.AttrFlags(), r.Attributes()
	if flags.UidGid {
		return homefs.ErrPermission // files belong to the site's user
	}
	if flags.Size {
		f, err := fs.OpenFile(r.Filepath, os.O_WRONLY)
		if err != nil {
			return err
		}
		err = f.Truncate(int64(attrs.Size)) //nolint:gosec // a huge size fails on the quota or the kernel
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	if flags.Permissions {
		if err := fs.Chmod(r.Filepath, os.FileMode(attrs.Mode&0o777)); err != nil {
			return err
		}
	}
	if flags.Acmodtime {
		if err := fs.Chtimes(r.Filepath, time.Unix(int64(attrs.Atime), 0), time.Unix(int64(attrs.Mtime), 0)); err != nil {
			return err
		}
	}
	return nil
}

// StatVFS implements sftp.StatVFSFileCmder (statvfs@openssh.com): the
// account's quota and what is left of it, or the file system's space when
// it has none.
func (h *handlers) StatVFS(r *sftp.Request) (*sftp.StatVFS, error) {
	h.c.touch("StatVFS " + r.Filepath)
	total, free, err := h.c.fs.Space()
	if err != nil {
		return nil, fxError(err)
	}
	const bs = 4096
	blocks, bfree := uint64(max(total, 0))/bs, uint64(max(free, 0))/bs
	return &sftp.StatVFS{Bsize: bs, Frsize: bs, Blocks: blocks, Bfree: bfree, Bavail: bfree,
		Files: 1 << 20, Ffree: 1 << 20, Favail: 1 << 20, Namemax: 255}, nil
}

// Filelist implements sftp.FileLister: List, Stat (and Readlink, which
// the request server sends through Readlink below).
func (h *handlers) Filelist(r *sftp.Request) (sftp.ListerAt, error) {
	h.c.touch(r.Method + " " + r.Filepath)
	fs := h.c.fs
	switch r.Method {
	case "List":
		list, err := fs.ReadDir(r.Filepath)
		if err != nil {
			return nil, fxError(err)
		}
		return listerAt(list), nil
	case "Stat":
		fi, err := fs.Stat(r.Filepath)
		if err != nil {
			return nil, fxError(err)
		}
		return listerAt{fi}, nil
	}
	return nil, fxError(homefs.ErrUnsupported)
}

// Lstat implements sftp.LstatFileLister.
func (h *handlers) Lstat(r *sftp.Request) (sftp.ListerAt, error) {
	h.c.touch("Lstat " + r.Filepath)
	fi, err := h.c.fs.Lstat(r.Filepath)
	if err != nil {
		return nil, fxError(err)
	}
	return listerAt{fi}, nil
}

// Readlink implements sftp.ReadlinkFileLister: only targets inside the
// home, as home-absolute paths.
func (h *handlers) Readlink(p string) (string, error) {
	h.c.touch("Readlink " + p)
	t, err := h.c.fs.Readlink(p)
	return t, fxError(err)
}

// RealPath implements sftp.RealPathFileLister: lexical, in the home.
func (h *handlers) RealPath(p string) (string, error) {
	return path.Clean("/" + p), nil
}

type listerAt []os.FileInfo

// ListAt implements sftp.ListerAt.
func (l listerAt) ListAt(out []os.FileInfo, off int64) (int, error) {
	if off >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(out, l[off:])
	if off+int64(n) >= int64(len(l)) {
		return n, io.EOF
	}
	return n, nil
}

// statusError is an SFTP status with a fixed text: its code reaches
// pkg/sftp through errors.As (see As), its text is Error().
type statusError struct {
	code error // one of sftp.ErrSSHFx*
	msg  string
}

func (e *statusError) Error() string { return e.msg }

// As lets errors.As fill pkg/sftp's unexported status code type.
func (e *statusError) As(target any) bool {
	v := reflect.ValueOf(target)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Type() != reflect.TypeOf(e.code) {
		return false
	}
	v.Elem().Set(reflect.ValueOf(e.code))
	return true
}

// Fixed replies for homefs errors.
var (
	stNotFound    = &statusError{sftp.ErrSSHFxNoSuchFile, "No such file or directory."}
	stPermission  = &statusError{sftp.ErrSSHFxPermissionDenied, "Permission denied."}
	stExists      = &statusError{sftp.ErrSSHFxFailure, "File exists."}
	stNotEmpty    = &statusError{sftp.ErrSSHFxFailure, "Directory not empty."}
	stNotDir      = &statusError{sftp.ErrSSHFxFailure, "Not a directory."}
	stIsDir       = &statusError{sftp.ErrSSHFxFailure, "Is a directory."}
	stNotFile     = &statusError{sftp.ErrSSHFxFailure, "Not a regular file."}
	stBadName     = &statusError{sftp.ErrSSHFxFailure, "Invalid file name."}
	stUnsupported = &statusError{sftp.ErrSSHFxOpUnsupported, "Operation not supported."}
	stNoSpace     = &statusError{sftp.ErrSSHFxFailure, "Quota exceeded."}
	stClosed      = &statusError{sftp.ErrSSHFxFailure, "Session closing."}
	stFailed      = &statusError{sftp.ErrSSHFxFailure, "Operation failed."}
)

// fxError maps any file error to an SFTP status with a fixed text (nil
// stays nil, io.EOF stays io.EOF).
func fxError(err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	var st *statusError
	if errors.As(err, &st) {
		return st
	}
	switch homefs.MapError(err) {
	case homefs.ErrNotFound:
		return stNotFound
	case homefs.ErrPermission:
		return stPermission
	case homefs.ErrExists:
		return stExists
	case homefs.ErrNotEmpty:
		return stNotEmpty
	case homefs.ErrNotDir:
		return stNotDir
	case homefs.ErrIsDir:
		return stIsDir
	case homefs.ErrNotFile:
		return stNotFile
	case homefs.ErrNameTooLong, homefs.ErrInvalidName:
		return stBadName
	case homefs.ErrUnsupported:
		return stUnsupported
	case homefs.ErrNoSpace:
		return stNoSpace
	case homefs.ErrClosed:
		return stClosed
	}
	return stFailed
}
