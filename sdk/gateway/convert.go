package gateway

import (
	"fmt"

	gatewayv1 "github.com/jtchain/jtchain/sdk/proto/jt/gateway/v1"
)

// Conversion between the Go types and jt.gateway.v1. The fields are
// strings on both sides; decoding also validates, so neither side acts on
// a deposit, redemption or reserve that is not well formed.

func encodeDeposit(d Deposit) *gatewayv1.Deposit {
	return &gatewayv1.Deposit{ExternalId: d.ExternalID, To: d.To, Currency: d.Currency, Amount: d.Amount, Cursor: d.Cursor}
}

func decodeDeposits(pbs []*gatewayv1.Deposit) ([]Deposit, error) {
	out := make([]Deposit, len(pbs))
	for i, pb := range pbs {
		d := Deposit{ExternalID: pb.GetExternalId(), To: pb.GetTo(), Currency: pb.GetCurrency(), Amount: pb.GetAmount(), Cursor: pb.GetCursor()}
		if err := d.Validate(); err != nil {
			return nil, fmt.Errorf("deposits[%d]: %w", i, err)
		}
		out[i] = d
	}
	return out, nil
}

func encodeRedeem(r RedeemRequest) *gatewayv1.RedeemRequest {
	return &gatewayv1.RedeemRequest{
		RedemptionId: r.RedemptionID, From: r.From, TxHash: r.TxHash,
		Currency: r.Currency, Amount: r.Amount, Destination: r.Destination,
	}
}

func decodeRedeem(pb *gatewayv1.RedeemRequest) (RedeemRequest, error) {
	r := RedeemRequest{
		RedemptionID: pb.GetRedemptionId(), From: pb.GetFrom(), TxHash: pb.GetTxHash(),
		Currency: pb.GetCurrency(), Amount: pb.GetAmount(), Destination: pb.GetDestination(),
	}
	return r, r.Validate()
}

// checkRef checks a payout reference.
func checkRef(ref string) error {
	return invalid("redeem response", checkID("external ref", ref, MaxIDLength))
}

func encodeReserves(r ReservesResponse) *gatewayv1.ReservesResponse {
	pb := &gatewayv1.ReservesResponse{Reserves: make([]*gatewayv1.Reserve, len(r.Reserves))}
	for i, res := range r.Reserves {
		pb.Reserves[i] = &gatewayv1.Reserve{Currency: res.Currency, Amount: res.Amount}
	}
	return pb
}

func decodeReserves(pb *gatewayv1.ReservesResponse) (ReservesResponse, error) {
	r := ReservesResponse{Reserves: make([]Reserve, len(pb.GetReserves()))}
	for i, res := range pb.GetReserves() {
		r.Reserves[i] = Reserve{Currency: res.GetCurrency(), Amount: res.GetAmount()}
	}
	return r, r.Validate()
}
