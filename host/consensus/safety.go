package consensus

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// SafetyFile persists an engine's PersistSafety records: the last thing it
// signed and its locks. A record is written to a temporary file, fsynced,
// renamed over the old one and the directory fsynced, so after a crash the
// file holds either the old or the new record, never a torn one. The driver
// calls Save before it sends any message that followed the record.
type SafetyFile struct {
	path string
}

// safetyMagic and the trailing checksum let Load tell a record from
// anything else that might be at the path.
var safetyMagic = []byte("JTSAFE1\x00")

// ErrSafetyCorrupt reports a safety file that exists but cannot be trusted.
var ErrSafetyCorrupt = errors.New("consensus: safety record is corrupt")

// OpenSafetyFile names the file; nothing is read or created yet.
func OpenSafetyFile(path string) *SafetyFile { return &SafetyFile{path: path} }

// Load returns the stored record, or nil when there is none yet.
func (s *SafetyFile) Load() ([]byte, error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("consensus: reading safety record %s: %w", s.path, err)
	}
	if len(b) < len(safetyMagic)+4+sha256.Size || !bytes.Equal(b[:len(safetyMagic)], safetyMagic) {
		return nil, fmt.Errorf("%w: %s has no valid header", ErrSafetyCorrupt, s.path)
	}
	body := b[len(safetyMagic):]
	n := binary.BigEndian.Uint32(body)
	if int(n) != len(body)-4-sha256.Size {
		return nil, fmt.Errorf("%w: %s has a wrong length", ErrSafetyCorrupt, s.path)
	}
	rec, sum := body[4:4+n], body[4+n:]
	if want := sha256.Sum256(rec); !bytes.Equal(sum, want[:]) {
		return nil, fmt.Errorf("%w: %s fails its checksum", ErrSafetyCorrupt, s.path)
	}
	return append([]byte(nil), rec...), nil
}

// Save durably replaces the stored record with rec.
func (s *SafetyFile) Save(rec []byte) error {
	buf := make([]byte, 0, len(safetyMagic)+4+len(rec)+sha256.Size)
	buf = append(buf, safetyMagic...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(rec)))
	buf = append(buf, rec...)
	sum := sha256.Sum256(rec)
	buf = append(buf, sum[:]...)

	dir := filepath.Dir(s.path)
	tmp, err := os.CreateTemp(dir, ".safety-*")
	if err != nil {
		return fmt.Errorf("consensus: saving safety record: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf); err != nil {
		tmp.Close()
		return fmt.Errorf("consensus: saving safety record: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("consensus: syncing safety record: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("consensus: installing safety record: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("consensus: syncing %s: %w", dir, err)
	}
	return nil
}
