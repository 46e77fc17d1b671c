package p2p

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Stream frames are a canonical unsigned varint length followed by that many
// bytes. A request is one frame holding the request; a response is one frame
// holding a status byte and then the response (status OK) or an error text.

const (
	statusOK    byte = 0
	statusError byte = 1 // the handler returned an error; the text follows
	statusBusy  byte = 2 // the concurrency limit was reached
	// statusTimeout: the handler returned an error after its context's
	// deadline (the server's RequestTimeout) passed; the text follows.
	statusTimeout byte = 3
)

// maxErrorText bounds the error text a handler's error becomes on the wire.
const maxErrorText = 1024

// appendFrame appends the frame of payload to dst.
func appendFrame(dst, payload []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(payload)))
	return append(dst, payload...)
}

// writeFrame writes one frame in a single Write.
func writeFrame(w io.Writer, payload []byte) error {
	buf := make([]byte, 0, binary.MaxVarintLen64+len(payload))
	_, err := w.Write(appendFrame(buf, payload))
	return err
}

// writeResponse writes a response frame: status, then body.
func writeResponse(w io.Writer, status byte, body []byte) error {
	buf := make([]byte, 0, binary.MaxVarintLen64+1+len(body))
	buf = binary.AppendUvarint(buf, uint64(1+len(body)))
	buf = append(buf, status)
	_, err := w.Write(append(buf, body...))
	return err
}

// readFrame reads one frame of at most max bytes. It allocates as the bytes
// arrive, not as the prefix announces, so a peer that announces a large
// frame and sends nothing costs nothing. It never panics: a malformed or
// non-minimal prefix is ErrBadFrame, a prefix above max ErrFrameTooLarge, a
// short frame io.ErrUnexpectedEOF.
func readFrame(r *bufio.Reader, max int) ([]byte, error) {
	n, err := readLength(r)
	if err != nil {
		return nil, err
	}
	if n > uint64(max) {
		return nil, fmt.Errorf("frame of %d bytes, limit %d: %w", n, max, ErrFrameTooLarge)
	}
	const chunk = 64 << 10
	if n <= chunk {
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, unexpectedEOF(err)
		}
		return buf, nil
	}
	var buf bytes.Buffer
	buf.Grow(chunk)
	if _, err := io.CopyN(&buf, r, int64(n)); err != nil {
		return nil, unexpectedEOF(err)
	}
	return buf.Bytes(), nil
}

// readLength reads a canonical (minimal) uvarint.
func readLength(r io.ByteReader) (uint64, error) {
	var x uint64
	for i := 0; i < binary.MaxVarintLen64; i++ {
		b, err := r.ReadByte()
		if err != nil {
			if i > 0 {
				return 0, unexpectedEOF(err)
			}
			return 0, err
		}
		if i == binary.MaxVarintLen64-1 && b > 1 {
			return 0, fmt.Errorf("length overflows 64 bits: %w", ErrBadFrame)
		}
		x |= uint64(b&0x7f) << (7 * i)
		if b < 0x80 {
			if b == 0 && i > 0 {
				return 0, fmt.Errorf("non-minimal length: %w", ErrBadFrame)
			}
			return x, nil
		}
	}
	return 0, fmt.Errorf("length too long: %w", ErrBadFrame)
}

func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
