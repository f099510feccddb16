package heartbeat

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestStore(db)

		t.Run("ensure gives the token once", func(t *testing.T) {
			token := ensure(t, s, "backup/nightly")
			again, created, err := s.Ensure(ctx, "backup/nightly")
			if err != nil || created || again != "" {
				t.Fatalf("second Ensure = %q, %v, %v; want \"\", false, nil", again, created, err)
			}
			p, at, err := s.Last(ctx, "backup/nightly")
			if err != nil || !at.IsZero() || p.Status != "" {
				t.Fatalf("Last before any ping = %s, %v, %v", showPing(p), at, err)
			}
			if _, err := s.Record(ctx, token, Ping{}, t0); err != nil {
				t.Fatalf("Record with the token: %v", err)
			}
		})

		t.Run("record keeps every field", func(t *testing.T) {
			token := ensure(t, s, "db/dump")
			size, dur := int64(1<<40), Duration(1500*time.Millisecond)
			sent := Ping{Status: StatusFail, Size: &size, Duration: &dur, Message: "pg_dump: out of space"}
			at := time.Date(2026, 11, 26, 3, 12, 0, 123456789, time.FixedZone("CET", 3600))
			key, err := s.Record(ctx, token, sent, at)
			if err != nil || key != "db/dump" {
				t.Fatalf("Record = %q, %v", key, err)
			}
			p, got, err := s.Last(ctx, "db/dump")
			if err != nil {
				t.Fatal(err)
			}
			if !samePing(p, sent) || !got.Equal(at.Truncate(time.Microsecond)) || got.Location() != time.UTC {
				t.Errorf("Last = %s at %v, want %s at %v", showPing(p), got, showPing(sent), at)
			}
			all, err := s.LastAll(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if b := all["db/dump"]; !samePing(b.Ping, sent) || !b.Created.Equal(t0) || !b.At.Equal(got) {
				t.Errorf("LastAll[db/dump] = %+v", b)
			}
			if b, ok := all["backup/nightly"]; !ok || b.Ping.Status != StatusOK {
				t.Errorf("LastAll misses backup/nightly: %v", all)
			}
		})

		t.Run("a wrong token writes nothing", func(t *testing.T) {
			token := ensure(t, s, "web/cron")
			_, real, _ := parseToken(token)
			forged, _, _ := newToken()
			lookup, _, _ := parseToken(token)
			wrongSecret := "hb_" + lookup + "_" + forged[len(forged)-len(real):]
			for _, bad := range []string{"", "hb_nope", forged, wrongSecret} {
				if _, err := s.Record(ctx, bad, Ping{}, t0); !errors.Is(err, ErrUnknownToken) || !errors.Is(err, store.ErrNotFound) {
					t.Errorf("Record(%q) error %v, want ErrUnknownToken", bad, err)
				}
			}
			if _, at, err := s.Last(ctx, "web/cron"); err != nil || !at.IsZero() {
				t.Errorf("Last after refused pings = %v, %v; want no ping", at, err)
			}
		})

		t.Run("rotate invalidates the old token", func(t *testing.T) {
			old := ensure(t, s, "mail/queue")
			fresh, err := s.Rotate(ctx, "mail/queue")
			if err != nil || fresh == old {
				t.Fatalf("Rotate = %q, %v", fresh, err)
			}
			if _, err := s.Record(ctx, old, Ping{}, t0); !errors.Is(err, ErrUnknownToken) {
				t.Errorf("old token: %v, want ErrUnknownToken", err)
			}
			if _, err := s.Record(ctx, fresh, Ping{}, t0); err != nil {
				t.Errorf("new token: %v", err)
			}
			if _, err := s.Rotate(ctx, "no/such"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Rotate of an unknown check: %v, want ErrNotFound", err)
			}
		})

		t.Run("remove deletes the token", func(t *testing.T) {
			token := ensure(t, s, "tmp/job")
			if err := s.Remove(ctx, "tmp/job"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Record(ctx, token, Ping{}, t0); !errors.Is(err, ErrUnknownToken) {
				t.Errorf("removed token: %v, want ErrUnknownToken", err)
			}
			if _, _, err := s.Last(ctx, "tmp/job"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Last of a removed check: %v, want ErrNotFound", err)
			}
			if err := s.Remove(ctx, "tmp/job"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("second Remove: %v, want ErrNotFound", err)
			}
		})
	})
}
