// Package plugin is the node's one launcher and supervisor for plugins of
// every kind (consensus, vm, gateway, indexer; DESIGN.md §6).
//
// For each configured instance a Supervisor verifies the binary (a regular
// file whose sha256 matches the config), launches it through go-plugin with
// the kind's protocol from the SDK (gRPC only, AutoMTLS, an environment made
// only of allowlisted host variables plus the instance's own), health-checks
// it, restarts it with exponential backoff when it exits, stops answering
// pings or hangs a call, and gives up after RestartPolicy.MaxAttempts
// consecutive failed launches. Every call goes through Supervisor.Call,
// which bounds it by CallTimeout and counts calls, errors and latency (a
// histogram with LatencyBounds). A Manager starts and stops many instances
// and lists their Status for `jtd plugins list` and the API.
//
// Every launch also fetches the JSON Schema the plugin declares for its
// config and checks the instance's Config against it (ValidateConfig:
// every violation with its path; a plugin without a schema takes no config;
// a schema may not refer to anything outside itself). Generation changes
// with every process, so the kind's host code knows to Configure a
// restarted plugin before using it (host/consensus/pluginengine does).
//
// Invariants:
//   - This is the only host package that imports go-plugin; kind packages
//     reach plugins through Supervisor.Call (or the typed helpers here).
//   - A plugin runs in its own process group and, on Linux, gets SIGKILL
//     when the node dies (Pdeathsig); stopping or restarting an instance
//     kills the whole group, so no plugin or child of one outlives the node.
//   - The sha256 is checked before every launch, including restarts, and
//     go-plugin's SecureConfig checks it again right before exec. Both checks
//     read the file before it is executed, so the plugin directory must not
//     be writable by the node's user: a binary swapped between the check and
//     exec would run unverified.
//   - One goroutine per Supervisor (its loop) launches, restarts and stops
//     the process; Call only reads the current client and asks the loop for
//     a restart.
package plugin
