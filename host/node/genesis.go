package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/jtchain/jtchain/host/codec"
	"github.com/jtchain/jtchain/host/crypto"
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
// whose only validator is the node key given.
func NewGenesis(name string, account codec.AccountID, validator crypto.KeyPair, now time.Time) Genesis {
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
			Validators: []GenesisValidator{{Name: "validator-1", PublicKey: crypto.EncodeNodePublic(validator.PublicKey())}},
		},
	}
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
	return ledger.Genesis(ledger.GenesisConfig{
		Account:    acct,
		TotalCoins: coins,
		Fees: ledger.Fees{
			Base: g.Fees.Base, Units: g.Fees.ReferenceUnits,
			Reserve: g.Fees.ReserveBase, Increment: g.Fees.ReserveIncrement,
		},
		CloseTime: g.CloseTime,
	})
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

// NewNodeKey creates a node key from fresh randomness.
func NewNodeKey(kt crypto.KeyType) (NodeKey, crypto.KeyPair, error) {
	seed, err := crypto.NewSeed(nil)
	if err != nil {
		return NodeKey{}, crypto.KeyPair{}, err
	}
	kp, err := crypto.DeriveNodeKeyPair(seed, kt)
	if err != nil {
		return NodeKey{}, crypto.KeyPair{}, err
	}
	return NodeKey{Secret: crypto.EncodeSecret(seed, kt), KeyType: kt.String(), PublicKey: crypto.EncodeNodePublic(kp.PublicKey())}, kp, nil
}

// LoadNodeKey reads a node key file and derives the key pair.
func LoadNodeKey(path string) (crypto.KeyPair, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return crypto.KeyPair{}, fmt.Errorf("node key: %w (create one with `jtd init`)", err)
	}
	var k NodeKey
	if err := json.Unmarshal(b, &k); err != nil {
		return crypto.KeyPair{}, fmt.Errorf("node key: %s: %w", path, err)
	}
	seed, kt, err := crypto.ParseSecret(k.Secret)
	if err != nil {
		return crypto.KeyPair{}, fmt.Errorf("node key: %s: secret: %w", path, err)
	}
	kp, err := crypto.DeriveNodeKeyPair(seed, kt)
	if err != nil {
		return crypto.KeyPair{}, err
	}
	if k.PublicKey != "" && k.PublicKey != crypto.EncodeNodePublic(kp.PublicKey()) {
		return crypto.KeyPair{}, fmt.Errorf("node key: %s: public_key does not match the secret", path)
	}
	return kp, nil
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
