package ftpd

import (
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	ftpserver "github.com/fclairamb/ftpserverlib"
	"github.com/spf13/afero"

	"ftpanel/internal/homefs"
)

// fsys adapts a session's homefs.FS (the file layer shared with SFTP and
// the file manager: confinement, permissions, quota, modes, ownership) to
// the afero.Fs that ftpserverlib drives, and adds what only FTP has:
// SITE CHMOD relative to the current folder, and the 552 error of a full
// quota.
type fsys struct {
	h   *homefs.FS
	cwd func() string // the session's current folder, for SITE
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
	Usage       *homefs.Usage
	Observer    homefs.Observer
	Cwd         func() string
	Logger      *slog.Logger
}

func newFS(root *os.Root, o fsOptions) *fsys {
	if o.Cwd == nil {
		o.Cwd = func() string { return "/" }
	}
	h := homefs.New(root, homefs.Options{Read: o.Read, Write: o.Write, Umask: o.Umask, UID: o.UID, GID: o.GID,
		Usage: o.Usage, Observer: o.Observer, Logger: o.Logger})
	return &fsys{h: h, cwd: o.Cwd}
}

// close releases the home once no file is open on it any more.
func (f *fsys) close() { f.h.Close() }

// kill stops the session's transfers.
func (f *fsys) kill() { f.h.Kill() }

// Name implements afero.Fs.
func (f *fsys) Name() string { return "ftpanel" }

// Stat implements afero.Fs. It needs no permission: CWD, SIZE, MDTM, MLST
// and RNFR rely on it, and a drop box must still find its folders and the
// size of a partial upload to resume it.
func (f *fsys) Stat(name string) (os.FileInfo, error) {
	fi, err := f.h.Stat(name)
	return fi, mapError(err)
}

// LstatIfPossible implements afero.Lstater.
func (f *fsys) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	fi, err := f.h.Lstat(name)
	return fi, true, mapError(err)
}

// ReadDir implements ftpserver.ClientDriverExtensionFileList: the listing
// of LIST, NLST, MLSD and STAT (links leading out of the home hidden).
func (f *fsys) ReadDir(name string) ([]os.FileInfo, error) {
	l, err := f.h.ReadDir(name)
	return l, mapError(err)
}

// Open implements afero.Fs: a file opened for reading.
func (f *fsys) Open(name string) (afero.File, error) { return f.OpenFile(name, os.O_RDONLY, 0) }

// Create implements afero.Fs.
func (f *fsys) Create(name string) (afero.File, error) {
	return f.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

// OpenFile implements afero.Fs. The requested mode is ignored (ftpserverlib
// asks for 0777): files are created with the configured umask.
func (f *fsys) OpenFile(name string, flag int, _ os.FileMode) (afero.File, error) {
	fl, err := f.h.OpenFile(name, flag)
	if err != nil {
		return nil, mapError(err)
	}
	return &file{fl}, nil
}

// Remove implements afero.Fs (DELE): files and symlinks, not folders.
func (f *fsys) Remove(name string) error { return mapError(f.h.Remove(name)) }

// RemoveDir implements ftpserver.ClientDriverExtensionRemoveDir (RMD):
// empty folders only.
func (f *fsys) RemoveDir(name string) error { return mapError(f.h.RemoveDir(name)) }

// RemoveAll implements afero.Fs.
func (f *fsys) RemoveAll(name string) error { return mapError(f.h.RemoveAll(name)) }

// Rename implements afero.Fs (RNFR/RNTO).
func (f *fsys) Rename(oldname, newname string) error { return mapError(f.h.Rename(oldname, newname)) }

// Mkdir implements afero.Fs (MKD).
func (f *fsys) Mkdir(name string, _ os.FileMode) error { return mapError(f.h.Mkdir(name)) }

// MkdirAll implements afero.Fs.
func (f *fsys) MkdirAll(name string, _ os.FileMode) error { return mapError(f.h.MkdirAll(name)) }

// Chmod implements afero.Fs (SITE CHMOD): needs write; masked by the umask.
func (f *fsys) Chmod(name string, mode os.FileMode) error { return mapError(f.h.Chmod(name, mode)) }

// Chown implements afero.Fs: never allowed.
func (f *fsys) Chown(string, int, int) error { return errPermission }

// Chtimes implements afero.Fs (MFMT): needs write.
func (f *fsys) Chtimes(name string, atime, mtime time.Time) error {
	return mapError(f.h.Chtimes(name, atime, mtime))
}

// Symlink implements ftpserver.ClientDriverExtensionSymlink: never allowed.
func (f *fsys) Symlink(string, string) error { return errPermission }

// AllocateSpace implements ftpserver.ClientDriverExtensionAllocate (ALLO).
func (f *fsys) AllocateSpace(size int) error { return mapError(f.h.Allocate(int64(size))) }

// GetAvailableSpace implements ftpserver.ClientDriverExtensionAvailableSpace
// (AVBL): the bytes left under the quota, or the file system's free space.
func (f *fsys) GetAvailableSpace(string) (int64, error) {
	n, err := f.h.Available()
	return n, mapError(err)
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

// file adapts a homefs.File to afero.File and ftpserverlib's transfer
// interfaces; the quota error becomes ftpserverlib's 552.
type file struct{ *homefs.File }

// Write implements io.Writer (ASCII-mode uploads).
func (fl *file) Write(p []byte) (int, error) {
	n, err := fl.File.Write(p)
	return n, mapError(err)
}

// WriteString implements afero.File.
func (fl *file) WriteString(s string) (int, error) { return fl.Write([]byte(s)) }

// ReadFrom implements io.ReaderFrom: uploads (splice).
func (fl *file) ReadFrom(r io.Reader) (int64, error) {
	n, err := fl.File.ReadFrom(r)
	return n, mapError(err)
}

// WriteAt implements io.WriterAt: not used by ftpserverlib, refused.
func (fl *file) WriteAt([]byte, int64) (int, error) { return 0, errUnsupported }

// Truncate implements afero.File: refused (not used by ftpserverlib).
func (fl *file) Truncate(int64) error { return errUnsupported }

// TransferError implements ftpserver.FileTransferError: called before
// Close when a transfer is aborted or its connection fails.
func (fl *file) TransferError(err error) { fl.Abort(err) }

// Close implements io.Closer.
func (fl *file) Close() error { return mapError(fl.File.Close()) }

// ftpOp names a homefs transfer as the FTP command that makes it.
func ftpOp(op string) string {
	switch op {
	case homefs.OpDownload:
		return "RETR"
	case homefs.OpAppend:
		return "APPE"
	}
	return "STOR"
}
