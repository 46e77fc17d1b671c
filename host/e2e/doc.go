// Package e2e holds repository-level, black-box tests: the import boundaries
// of DESIGN.md §2 now, and tests that start real node processes as the node
// lands. It exports nothing.
package e2e
