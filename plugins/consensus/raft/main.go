package main

import "github.com/jtchain/jtchain/sdk/consensus"

func main() { consensus.Serve(&engine{}) }
