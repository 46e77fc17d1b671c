// Package config is the node's configuration: one typed struct per component
// (LogConfig, ChainConfig, NodeConfig, ConsensusConfig, RPCConfig,
// MempoolConfig, StoreConfig) gathered in Config, with built-in defaults
// (Default), a loader (Load) and checks (Validate).
//
// Load merges four layers, each overriding the previous one only for the
// keys it sets:
//
//	built-in defaults < TOML file < JTD_* environment variables < flags
//
// Every layer is checked against the known keys before it is merged: an
// unknown key in the file or an unknown JTD_* variable is an error, because a
// typo that is silently ignored leaves the node running with a value the
// operator did not choose. Errors name the key, where it was set and the fix;
// Load and Validate report every problem at once.
//
// Invariants:
//   - This is the only package that imports koanf. Components receive their
//     typed section (Config.RPC, Config.Store, ...), never the loader.
//   - Keys() is the complete list of keys; configs/node.example.toml documents
//     every one of them with its default (a test keeps the two in step).
//   - Relative file paths follow one rule, implemented by Config.Resolve: a
//     path written in the config file is relative to the file's directory
//     (Load makes it absolute); any other relative path (a default, a JTD_*
//     variable, a flag) is relative to data_dir. data_dir itself is relative to
//     the working directory.
//
// Who may import it: host/node and host/cmd load and validate the
// configuration; other host packages may import it for their section's type.
// It imports no other jtchain package.
package config
