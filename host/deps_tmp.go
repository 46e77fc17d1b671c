//go:build deps

package host

import (
	_ "github.com/libp2p/go-libp2p"
	_ "github.com/libp2p/go-libp2p-pubsub"
	_ "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
	_ "github.com/oasisprotocol/curve25519-voi/primitives/ed25519/extra/ecvrf"
)
