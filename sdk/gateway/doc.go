// Package gateway is the SDK for gateway plugins (DESIGN.md §6): a gateway
// connects the ledger to an external system (a bank, another chain). It
// watches that system for confirmed deposits, which the node issues as
// usercoins, and pays out the redemptions the ledger committed.
//
// A plugin author implements Gateway (embedding UnimplementedGateway) and
// writes main as one call:
//
//	func main() { gateway.Serve(&acme{}) }
//
// The node owns every cursor and signs every ledger transaction; a gateway
// holds no ledger keys and may be killed at any instant. Delivery is at
// least once in both directions: the node persists a deposit's Cursor only
// after it issued the deposit, so after a restart a gateway may see the
// same deposits again (the node issues each ExternalID once), and the node
// retries a Redeem until it gets an answer, so Redeem must be idempotent on
// RedemptionID and remember that across restarts (in DataDir or in the
// external system).
//
// Optional features are small extra interfaces the SDK detects and
// advertises in Info's capabilities: ReservesReporter (CapReserves) and
// ConfigSchemaProvider.
//
// The node uses Protocol and Dispense to launch a plugin and gets a
// *Client, which implements Gateway (and ReservesReporter) by calling the
// plugin over gRPC.
//
// Imports: sdk/plugin, the generated protos, go-plugin and gRPC; never
// host (this package is part of the SDK third parties build against).
package gateway
