package vm

import (
	"errors"
	"fmt"
)

// checkResults checks what both sides of the wire require of a batch's
// results: one per call, a known status, no more gas than the call's
// limit, and no writes or events unless the call succeeded.
func checkResults(calls []Call, results []Result) error {
	if len(results) != len(calls) {
		return fmt.Errorf("%d results for %d calls: Execute must return exactly one result per call, in call order", len(results), len(calls))
	}
	var errs []error
	for i, r := range results {
		switch {
		case r.Status < StatusOK || r.Status > StatusError:
			errs = append(errs, fmt.Errorf("result %d: status %d is not a known status", i, r.Status))
		case r.GasUsed > calls[i].GasLimit:
			errs = append(errs, fmt.Errorf("result %d: used %d gas, more than the call's limit of %d", i, r.GasUsed, calls[i].GasLimit))
		case r.Status != StatusOK && (len(r.Writes) > 0 || len(r.Events) > 0):
			errs = append(errs, fmt.Errorf("result %d: status %s carries %d writes and %d events: only an ok result may", i, r.Status, len(r.Writes), len(r.Events)))
		}
	}
	return errors.Join(errs...)
}
