package gateway

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	gatewayv1 "github.com/jtchain/jtchain/sdk/proto/jt/gateway/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

const addr = "jHb9CJAWyB4jr91VRWn96DkukG4bwdtyTh"

func marshalRoundTrip[M proto.Message](t *testing.T, m M) M {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	out := m.ProtoReflect().New().Interface().(M)
	if err := proto.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDepositsRedemptionsAndReservesSurviveTheWire(t *testing.T) {
	deposits := []Deposit{
		{ExternalID: "bank-1", To: addr, Currency: "CNY", Amount: "12.50", Cursor: "c1"},
		{ExternalID: "bank-2", To: addr, Currency: "0158415500000000C1F76FF6ECB0BAC600000000", Amount: "0.000001", Cursor: "c2"},
	}
	pb := &gatewayv1.WatchDepositsResponse{}
	for _, d := range deposits {
		pb.Deposits = append(pb.Deposits, encodeDeposit(d))
	}
	got, err := decodeDeposits(marshalRoundTrip(t, pb).GetDeposits())
	if err != nil || !reflect.DeepEqual(got, deposits) {
		t.Errorf("deposits = %+v, %v; want %+v", got, err, deposits)
	}

	req := RedeemRequest{RedemptionID: "R", From: addr, TxHash: "ABCD", Currency: "USD", Amount: "3", Destination: "iban:DE00"}
	gotReq, err := decodeRedeem(marshalRoundTrip(t, encodeRedeem(req)))
	if err != nil || gotReq != req {
		t.Errorf("redeem = %+v, %v; want %+v", gotReq, err, req)
	}

	reserves := ReservesResponse{Reserves: []Reserve{{Currency: "CNY", Amount: "1000.25"}, {Currency: "USD", Amount: "0"}}}
	gotRes, err := decodeReserves(marshalRoundTrip(t, encodeReserves(reserves)))
	if err != nil || !reflect.DeepEqual(gotRes, reserves) {
		t.Errorf("reserves = %+v, %v; want %+v", gotRes, err, reserves)
	}
}

func TestDecodingRejectsMalformedWireValues(t *testing.T) {
	good := &gatewayv1.Deposit{ExternalId: "x", To: addr, Currency: "CNY", Amount: "1", Cursor: "1"}
	with := func(f func(d *gatewayv1.Deposit)) *gatewayv1.Deposit {
		d := proto.Clone(good).(*gatewayv1.Deposit)
		f(d)
		return d
	}
	deposits := []struct {
		name string
		d    *gatewayv1.Deposit
		want string
	}{
		{"empty", &gatewayv1.Deposit{}, "external id is empty"},
		{"no cursor", with(func(d *gatewayv1.Deposit) { d.Cursor = "" }), "cursor is empty"},
		{"no destination", with(func(d *gatewayv1.Deposit) { d.To = "" }), "to is empty"},
		{"spaces in id", with(func(d *gatewayv1.Deposit) { d.ExternalId = "a b" }), "holds spaces"},
		{"negative amount", with(func(d *gatewayv1.Deposit) { d.Amount = "-1" }), `amount "-1" is not a decimal`},
		{"native coin", with(func(d *gatewayv1.Deposit) { d.Currency = "SWT" }), "native coin"},
		{"long cursor", with(func(d *gatewayv1.Deposit) { d.Cursor = strings.Repeat("c", MaxCursorLength+1) }), "cursor is 1025 bytes"},
	}
	for _, tt := range deposits {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeDeposits([]*gatewayv1.Deposit{good, tt.d})
			if !errors.Is(err, ErrInvalidRequest) || !strings.Contains(err.Error(), "deposits[1]") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrInvalidRequest with %q", err, tt.want)
			}
		})
	}
	if _, err := decodeRedeem(&gatewayv1.RedeemRequest{Amount: "1"}); !errors.Is(err, ErrInvalidRequest) ||
		!strings.Contains(err.Error(), "redemption id is empty") || !strings.Contains(err.Error(), "destination is empty") {
		t.Errorf("empty redemption: err = %v, want every problem named", err)
	}
	if _, err := decodeReserves(&gatewayv1.ReservesResponse{Reserves: []*gatewayv1.Reserve{{Currency: "CNY", Amount: "1"}, {Currency: "CNY", Amount: "-2"}}}); err == nil ||
		!strings.Contains(err.Error(), `currency "CNY" is listed twice`) || !strings.Contains(err.Error(), `amount "-2"`) {
		t.Errorf("bad reserves: err = %v", err)
	}
}

func TestAmountsAndCurrencies(t *testing.T) {
	for _, ok := range []string{"1", "0.5", "12.50", "100", "1234567890123456", "0.0000000000000001", "9999999999999999000000"} {
		if err := CheckAmount(ok); err != nil {
			t.Errorf("CheckAmount(%q) = %v", ok, err)
		}
	}
	for bad, why := range map[string]string{
		"": "empty", "0": "zero", "0.00": "zero", "-1": "not a decimal", "+1": "not a decimal", "1e3": "not a decimal",
		"1.": "not a decimal", ".5": "not a decimal", "1.2.3": "not a decimal", "01": "leading zero", " 1": "not a decimal",
		"12345678901234567": "17 significant digits", "1,5": "not a decimal", "NaN": "not a decimal", strings.Repeat("1", 101): "more than 100",
	} {
		if err := CheckAmount(bad); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("CheckAmount(%q) = %v, want %q", bad, err, why)
		}
	}
	for _, ok := range []string{"CNY", "usd", "JMOAC", "VCC", "0158415500000000C1F76FF6ECB0BAC600000000"} {
		if err := CheckCurrency(ok); err != nil {
			t.Errorf("CheckCurrency(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "SWT", "swt", "CN", "TOOLONGX", "C-Y", "0158415500000000C1F76FF6ECB0BAC60000000Z"} {
		if err := CheckCurrency(bad); err == nil {
			t.Errorf("CheckCurrency(%q) passed", bad)
		}
	}
}

func TestThePluginSideRefusesBadRequestsAndBrokenResponses(t *testing.T) {
	ctx := context.Background()
	s := &gatewayServer{impl: fixedGateway{ref: "ref-1"}}
	if _, err := s.Redeem(ctx, &gatewayv1.RedeemRequest{RedemptionId: "R"}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("a bad request reached the gateway: err = %v", err)
	}
	good := encodeRedeem(RedeemRequest{RedemptionID: "R", From: addr, Currency: "CNY", Amount: "1", Destination: "d"})
	if resp, err := s.Redeem(ctx, good); err != nil || resp.GetExternalRef() != "ref-1" {
		t.Errorf("Redeem = %v, %v", resp, err)
	}
	s = &gatewayServer{impl: fixedGateway{}}
	if _, err := s.Redeem(ctx, good); status.Code(err) != codes.Internal || !strings.Contains(err.Error(), "external ref is empty") {
		t.Errorf("an empty reference: err = %v", err)
	}
	if err := (&streamSink{}).Send(ctx, Deposit{ExternalID: "x"}); !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("the sink took a malformed deposit: %v", err)
	}
}

type fixedGateway struct {
	UnimplementedGateway
	ref string
}

func (f fixedGateway) Redeem(context.Context, RedeemRequest) (RedeemResponse, error) {
	return RedeemResponse{ExternalRef: f.ref}, nil
}

func TestErrorsKeepTheirKindAcrossTheWire(t *testing.T) {
	cause := errors.New("bank down")
	for _, tt := range []struct {
		err       error
		retryable bool
		sentinel  error
	}{
		{Retryable(cause), true, nil},
		{ErrUnimplemented, false, ErrUnimplemented},
		{RedeemRequest{}.Validate(), false, ErrInvalidRequest},
		{cause, false, nil},
		{status.Error(codes.Aborted, "grpc's own abort"), false, nil},
	} {
		got := fromStatus("Redeem", toStatus(tt.err))
		if IsRetryable(got) != tt.retryable || (tt.sentinel != nil && !errors.Is(got, tt.sentinel)) {
			t.Errorf("%v crossed as %v", tt.err, got)
		}
	}
	if Retryable(nil) != nil {
		t.Error("Retryable(nil) is not nil")
	}
}

func TestUnimplementedGatewayReachesTheHostAsErrUnimplemented(t *testing.T) {
	ctx := context.Background()
	s := &gatewayServer{impl: UnimplementedGateway{}}
	if _, err := s.Reserves(ctx, &gatewayv1.ReservesRequest{}); !errors.Is(fromStatus("Reserves", err), ErrUnimplemented) {
		t.Errorf("Reserves: %v", err)
	}
	if err := s.WatchDeposits(&gatewayv1.WatchDepositsRequest{}, fakeStream{}); !errors.Is(fromStatus("WatchDeposits", err), ErrUnimplemented) {
		t.Errorf("WatchDeposits: %v", err)
	}
	info, err := gatewayInfo(ctx, UnimplementedGateway{})
	if err != nil || info.Kind != "gateway" || info.APIMajor != APIMajor || info.HasCapability(CapReserves) {
		t.Errorf("info = %+v, %v", info, err)
	}
	if info, _ := gatewayInfo(ctx, reservesGateway{}); !info.HasCapability(CapReserves) {
		t.Errorf("a ReservesReporter does not claim %s: %+v", CapReserves, info)
	}
	if _, err := (UnimplementedGateway{}).Configure(ctx, ConfigureRequest{Config: []byte(`{"x":1}`)}); err == nil {
		t.Error("a gateway without config accepted some")
	}
}

type reservesGateway struct{ UnimplementedGateway }

func (reservesGateway) Reserves(context.Context, ReservesRequest) (ReservesResponse, error) {
	return ReservesResponse{}, nil
}

// fakeStream is a deposit stream with only a context.
type fakeStream struct {
	grpc.ServerStreamingServer[gatewayv1.WatchDepositsResponse]
}

func (fakeStream) Context() context.Context { return context.Background() }
