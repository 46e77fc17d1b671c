// Command gateway-minimal is the smallest gateway: deposits are JSON lines in
// deposits_file (cursor: the line number); a payout is a file in the data dir.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jtchain/jtchain/sdk/gateway"
	"github.com/jtchain/jtchain/sdk/plugin"
)

type minimal struct {
	gateway.UnimplementedGateway
	DepositsFile string `json:"deposits_file"` // the exported fields are the config
	dataDir      string
}

var info = plugin.Info{Name: "minimal", Version: "0.1.0"}

const schema = `{"required": ["deposits_file"], "properties": {"deposits_file": {"type": "string", "pattern": "^/"}}}`

func (g *minimal) Info(context.Context) (plugin.Info, error)    { return info, nil }
func (g *minimal) ConfigSchema(context.Context) ([]byte, error) { return []byte(schema), nil }

func (g *minimal) Configure(_ context.Context, req gateway.ConfigureRequest) (gateway.ConfigureResponse, error) {
	g.dataDir = req.DataDir
	return gateway.ConfigureResponse{}, req.Decode(g)
}

func (g *minimal) WatchDeposits(ctx context.Context, req gateway.WatchRequest, out gateway.DepositSink) error {
	n, err := strconv.Atoi("0" + req.Cursor) // "" is 0; a bad cursor ends the watch
	for ; err == nil; err = ctx.Err() {
		b, err := os.ReadFile(g.DepositsFile)
		if err != nil && !os.IsNotExist(err) {
			return err
		}
		for lines := strings.SplitAfter(string(b), "\n"); n < len(lines)-1; n++ { // the last is "" or half written
			d := gateway.Deposit{}
			err := json.Unmarshal([]byte(lines[n]), &d)
			if d.Cursor = strconv.Itoa(n + 1); err == nil {
				err = out.Send(ctx, d)
			}
			if err != nil {
				return fmt.Errorf("deposit on %s line %d: %w", g.DepositsFile, n+1, err)
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
	return err
}

func (g *minimal) Redeem(_ context.Context, req gateway.RedeemRequest) (gateway.RedeemResponse, error) {
	if err := req.Validate(); err != nil {
		return gateway.RedeemResponse{}, err
	}
	resp := gateway.RedeemResponse{ExternalRef: fmt.Sprintf("payout-%x", sha256.Sum256([]byte(req.RedemptionID)))}
	f, err := os.OpenFile(filepath.Join(g.dataDir, resp.ExternalRef), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrExist) {
		return resp, nil // paid before
	} else if err != nil {
		return gateway.RedeemResponse{}, err
	}
	_, err = fmt.Fprintf(f, "%s %s to %s\n", req.Amount, req.Currency, req.Destination)
	return resp, errors.Join(err, f.Close())
}

func main() { gateway.Serve(&minimal{}) }
