package node

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/crypto"
	"github.com/jtchain/jtchain/host/crypto/vrf"
	"github.com/jtchain/jtchain/host/ledger"
)

// Genesis is a chain's genesis file: everything every node must agree on
// before the first ledger. Its ledger hash identifies the chain.
type Genesis struct {
	ChainName  string            `json:"chain_name"`
	NetworkID  uint32            `json:"network_id"`
	CloseTime  uint32            `json:"close_time"` // Ripple-epoch seconds of ledger 1
	Account    string            `json:"account"`    // holds all coins at genesis
	TotalCoins string            `json:"total_coins"`
	Fees       GenesisFees       `json:"fees"`
	Consensus  GenesisConsensus  `json:"consensus"`
	Extra      map[string]string `json:"extra,omitempty"`
}

// GenesisFees are the chain's fee parameters, in drops.
type GenesisFees struct {
	Base             uint64 `json:"base"`
	ReferenceUnits   uint32 `json:"reference_units"`
	ReserveBase      uint64 `json:"reserve_base"`
	ReserveIncrement uint64 `json:"reserve_increment"`
	// Record is what sealing a signed BLHR record costs its signer. Absent
	// (nil) means ledger.DefaultFees.Record; 0 makes signed records free.
	Record *uint64 `json:"record,omitempty"`
}

// GenesisConsensus names the chain's engine and its first validators.
type GenesisConsensus struct {
	Engine     string             `json:"engine"`
	Validators []GenesisValidator `json:"validators"`
}

// GenesisValidator is a validator's public identity.
type GenesisValidator struct {
	Name      string `json:"name,omitempty"`
	PublicKey string `json:"public_key"` // node public key, "n..."
	// VRFPublicKey is the hex of its 32-byte VRF key (proposer selection).
	// Networked engines need it; solo chains may leave it out.
	VRFPublicKey string `json:"vrf_public_key,omitempty"`
}

// RippleEpoch is 2000-01-01T00:00:00Z, time zero of ledger close times.
var RippleEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// ToRippleTime converts a wall-clock time to Ripple-epoch seconds.
func ToRippleTime(t time.Time) uint32 {
	s := t.Sub(RippleEpoch) / time.Second
	if s < 0 {
		return 0
	}
	return uint32(s)
}

// NewGenesis describes a new chain whose coins all belong to account and
// whose only validator is the node given.
func NewGenesis(name string, account codec.AccountID, validator Identity, now time.Time) Genesis {
	return Genesis{
		ChainName:  name,
		CloseTime:  ToRippleTime(now),
		Account:    account.String(),
		TotalCoins: strconv.FormatUint(ledger.JingtumTotalCoins, 10),
		Fees: GenesisFees{
			Base:             ledger.DefaultFees.Base,
			ReferenceUnits:   ledger.DefaultFees.Units,
			ReserveBase:      ledger.DefaultFees.Reserve,
			ReserveIncrement: ledger.DefaultFees.Increment,
		},
		Consensus: GenesisConsensus{
			Engine:     "solo",
			Validators: []GenesisValidator{validator.GenesisValidator("validator-1")},
		},
	}
}

// ChainID names the chain in every signature its validators make: the
// chain name and the genesis ledger's hash, so no two chains share one.
func ChainID(name string, genesis codec.Hash256) string {
	return fmt.Sprintf("%s:%X", name, genesis[:16])
}

// Validate checks the genesis file and reports every problem at once.
func (g Genesis) Validate() error {
	var errs []error
	if g.ChainName == "" {
		errs = append(errs, errors.New("genesis: chain_name is empty"))
	}
	if _, err := crypto.ParseAddress(g.Account); err != nil {
		errs = append(errs, fmt.Errorf("genesis: account: %w", err))
	}
	if n, err := strconv.ParseUint(g.TotalCoins, 10, 64); err != nil || n == 0 || n > codec.MaxNativeDrops {
		errs = append(errs, fmt.Errorf("genesis: total_coins %q must be a positive number of drops below 2^62", g.TotalCoins))
	}
	if g.Fees.Base == 0 {
		errs = append(errs, errors.New("genesis: fees.base must be at least 1 drop"))
	}
	if g.Fees.Record != nil && *g.Fees.Record > codec.MaxNativeDrops {
		errs = append(errs, errors.New("genesis: fees.record must be below 2^62 drops"))
	}
	if g.Fees.ReserveBase > 1<<32-1 || g.Fees.ReserveIncrement > 1<<32-1 {
		errs = append(errs, errors.New("genesis: reserves must fit in 32 bits of drops"))
	}
	if g.Consensus.Engine == "" {
		errs = append(errs, errors.New("genesis: consensus.engine is empty"))
	}
	for i, v := range g.Consensus.Validators {
		if _, err := crypto.ParseNodePublic(v.PublicKey); err != nil {
			errs = append(errs, fmt.Errorf("genesis: consensus.validators[%d].public_key: %w", i, err))
		}
		if v.VRFPublicKey != "" {
			if b, err := hex.DecodeString(v.VRFPublicKey); err != nil || len(b) != vrf.PublicKeySize {
				errs = append(errs, fmt.Errorf("genesis: consensus.validators[%d].vrf_public_key must be %d bytes of hex", i, vrf.PublicKeySize))
			}
		} else if g.Consensus.Engine != "solo" {
			errs = append(errs, fmt.Errorf("genesis: consensus.validators[%d].vrf_public_key is missing; engine %q needs every validator's VRF key", i, g.Consensus.Engine))
		}
	}
	if len(g.Consensus.Validators) == 0 {
		errs = append(errs, errors.New("genesis: consensus.validators is empty"))
	}
	return errors.Join(errs...)
}

// Ledger builds the genesis ledger.
func (g Genesis) Ledger() (*ledger.Ledger, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	acct, _ := crypto.ParseAddress(g.Account)
	coins, _ := strconv.ParseUint(g.TotalCoins, 10, 64)
	// The validator set goes on-ledger when every validator has a VRF key
	// (networked chains); a solo chain without them keeps the plain genesis.
	var vals []ledger.GenesisValidator
	for _, v := range g.Consensus.Validators {
		if v.VRFPublicKey == "" {
			vals = nil
			break
		}
		pub, _ := crypto.ParseNodePublic(v.PublicKey)
		vk, _ := hex.DecodeString(v.VRFPublicKey)
		vals = append(vals, ledger.GenesisValidator{NodePublicKey: pub, VRFPublicKey: vk})
	}
	return ledger.Genesis(ledger.GenesisConfig{
		Validators: vals,
		Account:    acct,
		TotalCoins: coins,
		Fees: ledger.Fees{
			Base: g.Fees.Base, Units: g.Fees.ReferenceUnits,
			Reserve: g.Fees.ReserveBase, Increment: g.Fees.ReserveIncrement,
			Record: g.Fees.recordFee(),
		},
		CloseTime: g.CloseTime,
	})
}

func (f GenesisFees) recordFee() uint64 {
	if f.Record == nil {
		return ledger.DefaultFees.Record
	}
	return *f.Record
}

// LoadGenesis reads and validates a genesis file.
func LoadGenesis(path string) (Genesis, error) {
	var g Genesis
	b, err := os.ReadFile(path)
	if err != nil {
		return g, fmt.Errorf("genesis: %w (create one with `jtd init`)", err)
	}
	if err := json.Unmarshal(b, &g); err != nil {
		return g, fmt.Errorf("genesis: %s: %w", path, err)
	}
	if err := g.Validate(); err != nil {
		return g, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}

// Save writes the genesis file, refusing to overwrite an existing one.
func (g Genesis) Save(path string) error {
	b, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		return err
	}
	return writeNew(path, append(b, '\n'), 0o644)
}

// NodeKey is the node's key file: its identity on the network and, for
// validators, its signing key. Keep it private (mode 0600).
type NodeKey struct {
	Secret    string `json:"secret"`
	KeyType   string `json:"key_type"`
	PublicKey string `json:"public_key"` // "n..."
}

// Identity is a node's keys: its signing key, its VRF key and the seed of
// its peer-to-peer identity, all derived from one node seed.
type Identity struct {
	Key  crypto.KeyPair
	VRF  vrf.PrivateKey
	seed crypto.Seed
}

// NewIdentity derives a node's keys from its seed.
func NewIdentity(seed crypto.Seed, kt crypto.KeyType) (Identity, error) {
	kp, err := crypto.DeriveNodeKeyPair(seed, kt)
	if err != nil {
		return Identity{}, err
	}
	return Identity{Key: kp, VRF: vrf.KeyFromNodeSeed(seed), seed: seed}, nil
}

// Account is the node's account id (its validator address).
func (id Identity) Account() codec.AccountID { return id.Key.AccountID() }

// PublicKey is the node public key in its "n..." form.
func (id Identity) PublicKey() string { return crypto.EncodeNodePublic(id.Key.PublicKey()) }

// P2PSeed is the 32-byte seed of the node's libp2p identity, under a domain
// of its own so it shares nothing usable with the signing key.
func (id Identity) P2PSeed() []byte {
	s := crypto.SHA512Half([]byte("JT/p2p-key/v1"), id.seed[:])
	return s[:]
}

// GenesisValidator describes the node as a validator in a genesis file.
func (id Identity) GenesisValidator(name string) GenesisValidator {
	return GenesisValidator{Name: name, PublicKey: id.PublicKey(), VRFPublicKey: hex.EncodeToString(id.VRF.Public())}
}

// NewNodeKey creates a node key from fresh randomness.
func NewNodeKey(kt crypto.KeyType) (NodeKey, Identity, error) {
	seed, err := crypto.NewSeed(nil)
	if err != nil {
		return NodeKey{}, Identity{}, err
	}
	id, err := NewIdentity(seed, kt)
	if err != nil {
		return NodeKey{}, Identity{}, err
	}
	return NodeKey{Secret: crypto.EncodeSecret(seed, kt), KeyType: kt.String(), PublicKey: id.PublicKey()}, id, nil
}

// LoadNodeKey reads a node key file and derives the node's keys.
func LoadNodeKey(path string) (Identity, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Identity{}, fmt.Errorf("node key: %w (create one with `jtd init`)", err)
	}
	var k NodeKey
	if err := json.Unmarshal(b, &k); err != nil {
		return Identity{}, fmt.Errorf("node key: %s: %w", path, err)
	}
	seed, kt, err := crypto.ParseSecret(k.Secret)
	if err != nil {
		return Identity{}, fmt.Errorf("node key: %s: secret: %w", path, err)
	}
	id, err := NewIdentity(seed, kt)
	if err != nil {
		return Identity{}, err
	}
	if k.PublicKey != "" && k.PublicKey != id.PublicKey() {
		return Identity{}, fmt.Errorf("node key: %s: public_key does not match the secret", path)
	}
	return id, nil
}

// Save writes the key file with owner-only permissions, refusing to overwrite.
func (k NodeKey) Save(path string) error {
	b, err := json.MarshalIndent(k, "", "  ")
	if err != nil {
		return err
	}
	return writeNew(path, append(b, '\n'), 0o600)
}

func writeNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s already exists; refusing to overwrite it", path)
		}
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
