package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary TOML text and an arbitrary JTD_* value to Load:
// it must never panic, and whatever it accepts must be valid.
func FuzzLoad(f *testing.F) {
	example, err := os.ReadFile(filepath.Join(configsDir, "node.example.toml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example, 0, "x")
	f.Add([]byte("[rpc]\nws_listen = \"\"\nadmin_ips = [\"10.0.0.0/8\"]\n"), 3, "")
	f.Add([]byte("[consensus.options]\na = 1\n[consensus]\nclose_interval = \"1s\"\n"), 8, "2s")
	f.Add([]byte("data_dir = 5\n[[rpc]]\n"), 40, "1,2,,3")
	f.Add([]byte("[rpc]\nsend_queue = 1\n\nsend_queue = 2\n"), 1, "./d")
	f.Fuzz(func(t *testing.T, text []byte, keyIndex int, value string) {
		keys := Keys()
		if keyIndex < 0 {
			keyIndex = -(keyIndex + 1)
		}
		env := []string{envName(keys[keyIndex%len(keys)]) + "=" + value}
		read := func(string) ([]byte, error) { return text, nil }
		c, err := load(LoadOptions{File: "/etc/jtd/node.toml", Env: env}, read)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Load accepted a config that does not validate: %v", err)
		}
	})
}
