package plugin

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// HashMismatchError says a plugin binary's sha256 is not the one in the
// instance's config. The supervisor refuses to start it.
type HashMismatchError struct {
	Instance string
	Path     string // the resolved path that was hashed
	Want     string // from the config
	Got      string // of the file
}

func (e *HashMismatchError) Error() string {
	return fmt.Sprintf("plugin instance %q: %s has sha256 %s but the config pins %s: the binary was replaced or the config is stale; "+
		"if you trust this binary, run sha256sum %s and put the result in the instance's sha256, otherwise reinstall the binary the config names",
		e.Instance, e.Path, e.Got, e.Want, e.Path)
}

// verify resolves cfg.Path, checks that it is a regular file and that its
// sha256 is cfg.SHA256, and returns the resolved path, which is what gets
// executed.
func verify(cfg InstanceConfig) (string, error) {
	path, err := filepath.EvalSymlinks(cfg.Path)
	if err != nil {
		return "", fmt.Errorf("plugin instance %q: binary %s: %w: check the instance's path", cfg.Name, cfg.Path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("plugin instance %q: binary %s: %w", cfg.Name, path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("plugin instance %q: binary %s: %w", cfg.Name, path, err)
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("plugin instance %q: %s is a %s, not a regular file: point the instance's path at the plugin binary",
			cfg.Name, path, st.Mode().Type())
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("plugin instance %q: hash %s: %w", cfg.Name, path, err)
	}
	got := hex.EncodeToString(h.Sum(nil))
	if want := strings.ToLower(cfg.SHA256); got != want {
		return "", &HashMismatchError{Instance: cfg.Name, Path: path, Want: want, Got: got}
	}
	return path, nil
}

// VerifyBinary checks an instance's binary as every launch does (a regular
// file whose sha256 matches), without starting it.
func VerifyBinary(cfg InstanceConfig) error {
	_, err := verify(cfg)
	return err
}
