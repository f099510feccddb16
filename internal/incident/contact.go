package incident

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// CustomerFirst reports whether a customer told us before the incident
// was detected: staff said so, or the first customer contact recorded
// precedes the detection.
func (i *Incident) CustomerFirst() bool {
	return i.CustomerReportedFirst ||
		i.FirstCustomerContactAt != nil && i.FirstCustomerContactAt.Before(i.DetectedAt)
}

// RecordCustomerContact records, inside tx, that a customer wrote about
// incident id at at (a support ticket): at becomes the incident's first
// customer contact when it has none or a later one, and the timeline gets
// a staff note saying so. It reports whether the first contact changed.
// Staff's later edits of the incident keep it: an edit without a first
// contact never erases one.
func (s *Store) RecordCustomerContact(ctx context.Context, tx *sql.Tx, id int64, at time.Time, note string) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE incidents SET first_customer_contact_at = $2
		WHERE id = $1 AND (first_customer_contact_at IS NULL OR first_customer_contact_at > $2)`, id, ts(at))
	if err != nil {
		return false, fmt.Errorf("record customer contact on incident %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	ev := Event{IncidentID: id, At: at, Type: EventNote, Text: note}
	if err := s.addEvent(ctx, tx, &ev); err != nil {
		return false, err
	}
	return true, nil
}
