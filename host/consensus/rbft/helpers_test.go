package rbft

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/consensus"
)

// Test identities: validator i has address {i+1, 0, …} (so address order is
// index order) and public key "key-i". Signatures are fast fakes:
// SHA-256(key ‖ msg)[:16], and verifying recomputes them.

const testChain = "test-chain"

func testAddr(i int) codec.AccountID {
	var a codec.AccountID
	a[0] = byte(i + 1)
	return a
}

func testKey(i int) []byte { return []byte(fmt.Sprintf("key-%d", i)) }

func testValidators(n int) []consensus.Validator {
	vals := make([]consensus.Validator, n)
	for i := range vals {
		vals[i] = consensus.Validator{Address: testAddr(i), PublicKey: testKey(i)}
	}
	return vals
}

func fakeSign(key, msg []byte) []byte {
	h := sha256.New()
	h.Write(key)
	h.Write(msg)
	return h.Sum(nil)[:16]
}

var errBadSig = errors.New("bad signature")

func fakeVerify(pub, msg, sig []byte) error {
	if !bytes.Equal(fakeSign(pub, msg), sig) {
		return errBadSig
	}
	return nil
}

// signed makes the consensus.Message validator i sends for payload.
func signed(i int, payload []byte) consensus.Message {
	return consensus.Message{From: testAddr(i), Payload: payload, Signature: fakeSign(testKey(i), SignBytes(testChain, payload))}
}

func testBlockPayload(name string, h uint64) []byte {
	return []byte(fmt.Sprintf("block %s at %d", name, h))
}

// seedWithProposers finds a seed whose permutation of n starts with the
// given validator indexes.
func seedWithProposers(n int, first []int) codec.Hash256 {
	for k := uint64(0); ; k++ {
		var s codec.Hash256
		s[0], s[1], s[2], s[3] = byte(k>>24), byte(k>>16), byte(k>>8), byte(k)
		perm := Permutation(n, s)
		ok := true
		for i, v := range first {
			if perm[i] != v {
				ok = false
				break
			}
		}
		if ok {
			return s
		}
	}
}

var testEpoch = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// loopbackTimeouts are the loopback settings of spec/rbft.md §6.
var loopbackTimeouts = Timeouts{
	Propose: time.Second, Prevote: 500 * time.Millisecond, Precommit: 500 * time.Millisecond,
	Delta: 250 * time.Millisecond, Commit: 200 * time.Millisecond,
}
