package main

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jtchain/jtchain/sdk/indexer"
	"github.com/jtchain/jtchain/sdk/indexer/indexertest"
)

// openAtVersion opens dir as a plugin whose schema stops at version v
// would: a file made by an older release.
func openAtVersion(t *testing.T, dir string, v int) *idx {
	t.Helper()
	all := migrations
	migrations = all[:v]
	defer func() { migrations = all }()
	return openIdx(t, dir)
}

// TestVersion1DatabaseTakesEmptyTypeTagsAfterMigrating makes a file with
// the first schema, whose CHECK refused a record without a type tag, fills
// it, and reopens it with this plugin: the rebuilt records table keeps
// every row, its order and its indexes, and takes empty tags.
func TestVersion1DatabaseTakesEmptyTypeTagsAfterMigrating(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()

	// Version 1's files hold only tagged records.
	old := indexertest.Chain(1, 10)
	for _, l := range old {
		for j := range l.Records {
			if l.Records[j].TypeTag == "" {
				l.Records[j].TypeTag = "v1"
			}
		}
	}
	v1 := openAtVersion(t, dir, 1)
	storeAll(t, v1, old)
	next := indexertest.Chain(11, 6)
	if !hasEmptyTag(next[0]) {
		t.Fatal("indexertest.Chain's ledger 11 has no record without a type tag: pick another ledger")
	}
	err := v1.Store(ctx, next[0])
	if err == nil || !strings.Contains(err.Error(), "CHECK constraint failed") {
		t.Fatalf("version 1 storing a record without a type tag: %v, want a CHECK constraint failure", err)
	}
	before := counts(t, v1)
	v1.Close()

	x := openIdx(t, dir)
	db, _ := x.conn()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != len(migrations) {
		t.Fatalf("user_version after the migration = %d, %v; want %d", v, err, len(migrations))
	}
	if after := counts(t, x); after != before {
		t.Fatalf("rows after the migration %v, before %v", after, before)
	}
	wantLast(t, x, 10)
	wantExactly(t, x, old, indexer.Query{})
	storeAll(t, x, next)
	all := slices.Concat(old, next)
	for _, q := range []indexer.Query{
		{},
		{TypeTag: "v1"},
		{TypeTag: indexertest.Tags[0]},
		{TypeTag: indexertest.Tags[1], Account: indexertest.Accounts[1]},
		{Account: indexertest.Accounts[2], FromSeq: 5},
		{DataHash: indexertest.DataHashes[3], Limit: 2},
	} {
		wantExactly(t, x, all, q)
	}
	var empty int
	if err := db.QueryRow("SELECT count(*) FROM records WHERE type_tag = ''").Scan(&empty); err != nil || empty == 0 {
		t.Fatalf("records without a type tag after storing ledgers 11 to 16: %d, %v; want some", empty, err)
	}
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	if err := foreignKeyViolations(db); err != nil {
		t.Fatal(err)
	}
	// records still references ledgers: a record of a ledger not stored is
	// refused.
	if _, err := db.Exec("INSERT INTO records (pos, ledger_seq, id, type_tag, data_hash) VALUES (?, 99, zeroblob(32), '', zeroblob(32))", pos(99, 0)); err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Fatalf("a record of a ledger not stored: %v, want a FOREIGN KEY failure", err)
	}

	if got, want := schemaOf(t, db), schemaOf(t, mustConn(t, openIdx(t, t.TempDir()))); got != want {
		t.Fatalf("schema of the migrated file:\n%s\nof a new file:\n%s", got, want)
	}
}

func hasEmptyTag(l indexer.Ledger) bool {
	for _, r := range l.Records {
		if r.TypeTag == "" {
			return true
		}
	}
	return false
}

func mustConn(t *testing.T, x *idx) *sql.DB {
	t.Helper()
	db, err := x.conn()
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// schemaOf is every table and index definition of db, in name order.
func schemaOf(t *testing.T, db *sql.DB) string {
	t.Helper()
	rows, err := db.Query("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var typ, name, table, def string
		if err := rows.Scan(&typ, &name, &table, &def); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %s on %s: %s\n", typ, name, table, def)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func foreignKeyViolations(db *sql.DB) error {
	rows, err := db.Query("PRAGMA foreign_key_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		return fmt.Errorf("PRAGMA foreign_key_check reports violations")
	}
	return rows.Err()
}
