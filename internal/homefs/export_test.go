package homefs

// SetOpenat2 turns opening through openat2 on or off (off: through
// os.Root, as on kernels without it) and returns a func that restores the
// previous setting.
func SetOpenat2(on bool) (restore func()) {
	old := openat2Off.Load()
	openat2Off.Store(!on)
	return func() { openat2Off.Store(old) }
}

// Openat2Off reports whether openat2 was found missing.
func Openat2Off() bool { return openat2Off.Load() }
