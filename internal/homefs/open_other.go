//go:build !linux

package homefs

import "io/fs"

// Without openat2 (Linux only), every open goes through os.Root.

func (f *FS) createBeneath(string, int, fs.FileMode) (opened, bool, error) {
	return opened{}, false, nil
}

func (f *FS) openBeneath(string, int) (opened, bool, error) { return opened{}, false, nil }
