package client

import (
	"errors"
	"fmt"
	"testing"
)

// Results below are the real node responses quoted in the swtclib docs
// (spec/jingtum-wire.md §7.3), trimmed.

func TestServerInfoReadsJingtumFields(t *testing.T) {
	f := newFakeNode(t)
	f.setResult("server_info", `{"info":{"build_version":"0.28.1","complete_ledgers":"18425885-20075031","hostid":"WAIL",
		"io_latency_ms":1,"last_close":{"converge_time_s":2.001,"proposers":8},"load_factor":1,"peers":7,
		"pubkey_node":"n94s6NHwTqc7HQBSDeuVaJCHaS2oPzc9c2YuHNtASaMhFamLAFv4","server_state":"full   01:22:03",
		"validated_ledger":{"age":1,"base_fee_swt":0.00001,"hash":"7DB0F1E12B017C51B62A08E92ED749E42883D13D0DCB2BE73044DEDF2EFE63EC",
		"reserve_base_swt":20,"reserve_inc_swt":5,"seq":20075031},"validation_quorum":5}}`)
	c := dial(t, f, nil)
	info, err := c.ServerInfo(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	v := info.ValidatedLedger
	if info.BuildVersion != "0.28.1" || info.ServerState != "full   01:22:03" || info.Peers != 7 || info.ValidationQuorum != 5 ||
		info.Proposers != 8 || info.ConvergeTime != 2.001 || info.ClosedLedger != nil || v == nil ||
		v.Seq != 20075031 || v.BaseFee != 10 || v.ReserveBase != 20_000_000 || v.ReserveInc != 5_000_000 || v.Age != 1 {
		t.Fatalf("%+v %+v", info, v)
	}
	// rippled's names and string numbers work too.
	f.setResult("server_info", `{"info":{"server_state":"full","load_factor":"256","validated_ledger":{"seq":"12","base_fee_xrp":"0.00001","reserve_base_xrp":10,"reserve_inc_xrp":1}}}`)
	info, err = c.ServerInfo(testCtx(t))
	if err != nil || info.LoadFactor != 256 || info.ValidatedLedger.Seq != 12 || info.ValidatedLedger.ReserveBase != 10_000_000 {
		t.Fatalf("%+v %v", info, err)
	}
	f.setResult("server_info", `{"info":{"peers":"many"}}`)
	if _, err := c.ServerInfo(testCtx(t)); err == nil {
		t.Fatal("garbage accepted")
	}
	f.setResult("server_info", `{}`)
	if _, err := c.ServerInfo(testCtx(t)); err == nil {
		t.Fatal("missing info accepted")
	}
}

func TestAccountInfo(t *testing.T) {
	f := newFakeNode(t)
	f.setResult("account_info", `{"account_data":{"Account":"j3TbonCBTcorBu7TeK57aDGTidqkuRMAsi","Balance":"9990249870","Flags":0,
		"LedgerEntryType":"AccountRoot","OwnerCount":2,"PreviousTxnID":"33D0D3E857229B93B3E63D0B99FD08173E179A9D39D006186024E887B8EE5465",
		"PreviousTxnLgrSeq":100913,"Sequence":60,"index":"9C1F"},"ledger_current_index":132132,"validated":false}`)
	c := dial(t, f, nil)
	ai, err := c.AccountInfo(testCtx(t), "j3TbonCBTcorBu7TeK57aDGTidqkuRMAsi", SelectCurrent)
	if err != nil {
		t.Fatal(err)
	}
	if ai.Balance != 9990249870 || ai.Sequence != 60 || ai.OwnerCount != 2 || ai.LedgerIndex != 132132 || ai.Validated || ai.PreviousTxnLgrSeq != 100913 {
		t.Fatalf("%+v", ai)
	}
	for _, c2 := range []struct {
		ledger string
		key    string
		want   any
	}{
		{SelectValidated, "ledger_index", "validated"},
		{"12345", "ledger_index", float64(12345)},
		{"7DB0F1E12B017C51B62A08E92ED749E42883D13D0DCB2BE73044DEDF2EFE63EC", "ledger_hash", "7DB0F1E12B017C51B62A08E92ED749E42883D13D0DCB2BE73044DEDF2EFE63EC"},
	} {
		if _, err := c.AccountInfo(testCtx(t), "jX", c2.ledger); err != nil {
			t.Fatal(err)
		}
		reqs := f.received()
		if got := reqs[len(reqs)-1][c2.key]; got != c2.want {
			t.Errorf("ledger %q sent %s=%v", c2.ledger, c2.key, got)
		}
	}
	f.setResult("account_info", `{"ledger_index":3}`)
	if _, err := c.AccountInfo(testCtx(t), "jX", ""); err == nil {
		t.Fatal("a result without account_data accepted")
	}
}

func TestAccountLinesFollowsMarkers(t *testing.T) {
	f := newFakeNode(t)
	f.setFunc("account_lines", func(req map[string]any) any {
		line := func(cur string) map[string]any {
			return map[string]any{"account": "jBciDE8Q3uJjf111VeiUNM775AMKHEbBLS", "balance": "100", "currency": cur,
				"limit": "1000", "limit_peer": "0", "no_skywell": true, "quality_in": 0, "quality_out": 0}
		}
		switch req["marker"] {
		case nil:
			return map[string]any{"lines": []any{line("CNY")}, "marker": "p2"}
		case "p2":
			return map[string]any{"lines": []any{line("USD")}, "marker": "p3"}
		default:
			return map[string]any{"lines": []any{line("JJCC")}}
		}
	})
	c := dial(t, f, nil)
	lines, err := c.AccountLines(testCtx(t), "jX", SelectValidated)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 || lines[0].Currency != "CNY" || lines[2].Currency != "JJCC" || !lines[1].NoSkywell || lines[1].Limit != "1000" {
		t.Fatalf("%+v", lines)
	}
	f.setFunc("account_lines", func(map[string]any) any { return map[string]any{"lines": []any{}, "marker": "same"} })
	if _, err := c.AccountLines(testCtx(t), "jX", ""); err == nil {
		t.Fatal("a repeating marker looped or was accepted")
	}
}

func TestSubmitReadsTheEngineResult(t *testing.T) {
	f := newFakeNode(t)
	f.setResult("submit", `{"engine_result":"tesSUCCESS","engine_result_code":0,
		"engine_result_message":"The transaction was applied. Only final in a validated ledger.",
		"tx_blob":"1200","tx_json":{"Account":"j3TbonCBTcorBu7TeK57aDGTidqkuRMAsi","Sequence":60,
		"hash":"29270578A9F0087B5735FF279D78EBB815C2B451B8D56EE61BFA5699CF266C59"}}`)
	c := dial(t, f, nil)
	r, err := c.Submit(testCtx(t), "1200")
	if err != nil {
		t.Fatal(err)
	}
	if r.EngineResult != "tesSUCCESS" || r.Class() != "tes" || r.Hash != "29270578A9F0087B5735FF279D78EBB815C2B451B8D56EE61BFA5699CF266C59" {
		t.Fatalf("%+v", r)
	}
	if got := f.received()[0]["tx_blob"]; got != "1200" {
		t.Fatalf("sent %v", got)
	}
	for _, bad := range []string{"", "12G0", "120"} {
		if _, err := c.Submit(testCtx(t), bad); err == nil {
			t.Errorf("blob %q accepted", bad)
		}
	}
	f.setResult("submit", `{"engine_result":"terPRE_SEQ","engine_result_code":-92,"engine_result_message":"Missing/inapplicable prior transaction."}`)
	r, err = c.Submit(testCtx(t), "1200")
	if err != nil || r.Class() != "ter" || r.EngineResultCode != -92 {
		t.Fatalf("%+v %v", r, err)
	}
	for tok, class := range map[string]string{"tecNO_DST": "tec", "telINSUF_FEE_P": "tel", "tefPAST_SEQ": "tef", "temBAD_FEE": "tem", "xx": "", "weird": ""} {
		if got := (SubmitResult{EngineResult: tok}).Class(); got != class {
			t.Errorf("Class(%s) = %q", tok, got)
		}
	}
}

func TestTxAndNotFound(t *testing.T) {
	f := newFakeNode(t)
	const hash = "EB94F5155E8977B888E553C10C8EAC9567426BD3AF186E321CB614F4DCD1A4F2"
	f.setFunc("tx", func(req map[string]any) any {
		return map[string]any{"Account": "jpmKEm2sUevfpFjS7QHdT8Sx7ZGoEXTJAz", "TransactionType": "Payment", "Sequence": 1,
			"hash": req["transaction"], "inLedger": 2838718, "date": 607471210, "validated": true,
			"meta": map[string]any{"TransactionResult": "tesSUCCESS", "TransactionIndex": 0}}
	})
	c := dial(t, f, nil)
	r, err := c.Tx(testCtx(t), hash)
	if err != nil {
		t.Fatal(err)
	}
	if r.Hash != hash || r.LedgerIndex != 2838718 || !r.Validated || r.Result != "tesSUCCESS" || r.Sequence != 1 {
		t.Fatalf("%+v", r)
	}
	if _, err := c.Tx(testCtx(t), "ABC"); err == nil {
		t.Fatal("short hash accepted")
	}
	f.setFunc("tx", nil)
	_, err = c.Tx(testCtx(t), hash) // unknownCmd: not a not-found
	if errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	nf := &APIError{Code: CodeTxnNotFound, Number: 27, Message: "Transaction not found."}
	if !errors.Is(fmt.Errorf("wrapped: %w", nf), ErrNotFound) {
		t.Fatal("txnNotFound does not match ErrNotFound")
	}
}

func TestLedgerClosedAndFee(t *testing.T) {
	f := newFakeNode(t)
	f.setResult("ledger_closed", `{"ledger_hash":"AB","ledger_index":2838574}`)
	f.setResult("fee", `{"current_ledger_size":"14","current_queue_size":"0","drops":{"base_fee":"10","median_fee":"5000","minimum_fee":"10","open_ledger_fee":"10"},"expected_ledger_size":"24","ledger_current_index":26575101,"max_queue_size":"480"}`)
	c := dial(t, f, nil)
	lc, err := c.LedgerClosed(testCtx(t))
	if err != nil || lc.LedgerIndex != 2838574 || lc.LedgerHash != "AB" {
		t.Fatalf("%+v %v", lc, err)
	}
	fee, err := c.Fee(testCtx(t))
	if err != nil || fee.CurrentLedgerSize != 14 || fee.MedianFee != 5000 || fee.OpenLedgerFee != 10 || fee.MaxQueueSize != 480 || fee.LedgerCurrentIndex != 26575101 {
		t.Fatalf("%+v %v", fee, err)
	}
}
