package rbft

// LastSignedHeight returns the height of the last proposal or vote a safety
// record (a PersistSafety record) says the node signed, 0 for no record. A
// node uses it at start to tell whether a commit carrying its signature is
// explained by its own records (spec/rbft.md §8).
func LastSignedHeight(record []byte) (uint64, error) {
	if len(record) == 0 {
		return 0, nil
	}
	rec, err := decodeSafetyRecord(record)
	if err != nil {
		return 0, err
	}
	return rec.Last.Height, nil
}
