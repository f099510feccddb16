package heartbeat

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/store"
)

// Backup is a heartbeat check as a customer is shown it: its last ping,
// the summary of its history, and whether it is stale.
type Backup struct {
	// Asset and Name identify the check; Key is asset/name.
	Asset, Name, Key string
	// Period and Grace are the check's, Grace defaulted.
	Period, Grace time.Duration
	// Issued is false while the check has no token: no job can ping it
	// yet, and it is neither due nor stale.
	Issued bool
	// Created is when the token was made; Last the last ping of any
	// status (nil for none).
	Created time.Time
	Last    *Run
	Summary
	// DueBy is when an ok run is due at the latest: Period and Grace after
	// the last good one, or after the token's creation when none came.
	// Stale is set when now is past it. Both are zero without a token.
	DueBy time.Time
	Stale bool
}

// Backups returns the heartbeat checks among checks, in their order, as
// their customer sees them at now; other kinds are skipped.
func (s *Store) Backups(ctx context.Context, checks []check.Check, now time.Time) ([]Backup, error) {
	out := []Backup{}
	for i := range checks {
		c := &checks[i]
		if c.Kind != check.Heartbeat {
			continue
		}
		b := Backup{Asset: c.Asset, Name: c.ID().Name, Key: c.Key(), Period: time.Duration(c.Period()), Grace: time.Duration(c.Grace())}
		if b.Grace <= 0 {
			b.Grace = check.DefaultHeartbeatGrace
		}
		beat, err := s.beat(ctx, b.Key)
		if errors.Is(err, store.ErrNotFound) {
			b.RestorePoints = []Run{}
			out = append(out, b)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("backups: %w", err)
		}
		if b.Summary, err = s.Summary(ctx, b.Key); err != nil {
			return nil, fmt.Errorf("backups: %w", err)
		}
		b.Issued, b.Created = true, beat.Created
		if !beat.At.IsZero() {
			b.Last = &Run{At: beat.At, Status: beat.Ping.Status, Size: beat.Ping.Size, Duration: beat.Ping.Duration, Message: beat.Ping.Message}
		}
		from := beat.Created
		if b.LastGood != nil {
			from = b.LastGood.At
		}
		b.DueBy = from.Add(b.Period + b.Grace)
		b.Stale = now.After(b.DueBy)
		out = append(out, b)
	}
	return out, nil
}
