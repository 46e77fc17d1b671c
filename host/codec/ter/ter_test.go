package ter

import "testing"

func TestTokensRoundTripAndRangesClassify(t *testing.T) {
	for c, i := range table {
		if got, ok := Parse(i.token); !ok || got != c {
			t.Errorf("%s parses to %d", i.token, got)
		}
		classes := 0
		for _, is := range []bool{c.IsTel(), c.IsTem(), c.IsTef(), c.IsTer(), c.IsTes(), c.IsTec()} {
			if is {
				classes++
			}
		}
		if classes != 1 {
			t.Errorf("%s is in %d classes", i.token, classes)
		}
		if c.Applied() != (c.IsTes() || c.IsTec()) {
			t.Errorf("%s: Applied", i.token)
		}
		prefix := i.token[:3]
		want := map[string]bool{"tel": c.IsTel(), "tem": c.IsTem(), "tef": c.IsTef(), "ter": c.IsTer(), "tes": c.IsTes(), "tec": c.IsTec()}
		if !want[prefix] {
			t.Errorf("%s (%d) is not in the %s range", i.token, c, prefix)
		}
	}
	// Numbers that appear in metadata and API responses (skywelld's enum).
	for token, code := range map[string]Code{"tesSUCCESS": 0, "tecNO_DST_INSUF_SWT": 125, "tecINSUFFICIENT_RESERVE": 141,
		"telINSUF_FEE_P": -394, "temBAD_AMOUNT": -298, "temREDUNDANT": -273, "tefPAST_SEQ": -190, "terPRE_SEQ": -92, "terNO_ACCOUNT": -96} {
		if c, _ := Parse(token); c != code {
			t.Errorf("%s = %d, want %d", token, c, code)
		}
	}
	if Code(12345).Known() || Code(12345).Message() != "Unknown result." {
		t.Error("unknown code")
	}
}
