package heartbeat

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// record sends p for token at, failing the test otherwise.
func record(t *testing.T, s *Store, token string, p Ping, at time.Time) {
	t.Helper()
	if _, err := s.Record(context.Background(), token, p, at); err != nil {
		t.Fatalf("Record(%s at %v): %v", showPing(p), at, err)
	}
}

// ids returns the restore point ids of runs, in order.
func ids(runs []Run) []string {
	var out []string
	for _, r := range runs {
		out = append(out, r.RestorePoint)
	}
	return out
}

func TestRunsKeepTheHistoryOfEveryPing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestStore(db)
		token := ensure(t, s, "vm1/backup")
		size, dur := int64(5<<30), Duration(42*time.Minute)
		record(t, s, token, Ping{Status: StatusOK, RestorePoint: "snap-001"}, t0.Add(1*time.Hour))
		record(t, s, token, Ping{Status: StatusFail, Message: "repository locked"}, t0.Add(2*time.Hour))
		record(t, s, token, Ping{Status: StatusOK}, t0.Add(3*time.Hour))
		record(t, s, token, Ping{Status: StatusOK, Size: &size, Duration: &dur, RestorePoint: "snap 002 (nightly)"}, t0.Add(4*time.Hour))
		// A restore point on a failed run is no restore point.
		record(t, s, token, Ping{Status: StatusFail, RestorePoint: "partial-003", Message: "disk full"}, t0.Add(5*time.Hour))

		runs, err := s.Runs(ctx, "vm1/backup", 10)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := ids(runs), []string{"partial-003", "snap 002 (nightly)", "", "", "snap-001"}; !slices.Equal(got, want) {
			t.Fatalf("Runs newest first: restore points %q, want %q", got, want)
		}
		if r := runs[1]; !r.At.Equal(t0.Add(4*time.Hour)) || r.Size == nil || *r.Size != size || r.Duration == nil || *r.Duration != dur {
			t.Errorf("run of 04:00 = %+v", r)
		}
		if two, _ := s.Runs(ctx, "vm1/backup", 2); len(two) != 2 {
			t.Errorf("Runs limited to 2 gave %d", len(two))
		}

		sum, err := s.Summary(ctx, "vm1/backup")
		if err != nil {
			t.Fatal(err)
		}
		if sum.LastGood == nil || !sum.LastGood.At.Equal(t0.Add(4*time.Hour)) || sum.LastGood.RestorePoint != "snap 002 (nightly)" {
			t.Errorf("last good = %+v, want the run of 04:00", sum.LastGood)
		}
		if sum.LastFailure == nil || sum.LastFailure.Message != "disk full" || !sum.LastFailure.At.Equal(t0.Add(5*time.Hour)) {
			t.Errorf("last failure = %+v, want the disk full of 05:00", sum.LastFailure)
		}
		if got, want := ids(sum.RestorePoints), []string{"snap 002 (nightly)", "snap-001"}; !slices.Equal(got, want) {
			t.Errorf("restore points %q, want %q", got, want)
		}

		empty, err := s.Summary(ctx, "no/such")
		if err != nil || empty.LastGood != nil || empty.LastFailure != nil || empty.RestorePoints == nil || len(empty.RestorePoints) != 0 {
			t.Errorf("summary of a check without history = %+v, %v", empty, err)
		}
	})
}

func TestRestorePointsAreTheNewestThirty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestStore(db)
		token := ensure(t, s, "site/backup")
		var want []string
		for i := range MaxRestorePoints + 5 {
			id := fmt.Sprintf("r%02d", i)
			record(t, s, token, Ping{Status: StatusOK, RestorePoint: id}, t0.Add(time.Duration(i)*time.Hour))
			want = append(want, id)
		}
		slices.Reverse(want)
		sum, err := s.Summary(ctx, "site/backup")
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(sum.RestorePoints); !slices.Equal(got, want[:MaxRestorePoints]) {
			t.Errorf("restore points %q, want the %d newest %q", got, MaxRestorePoints, want[:MaxRestorePoints])
		}
	})
}

func TestARefusedPingAddsNoRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestStore(db)
		token := ensure(t, s, "vm2/backup")
		if _, err := s.Record(ctx, token, Ping{Status: StatusOK, RestorePoint: "a\tb"}, t0); err == nil {
			t.Fatal("a restore point with a tab was recorded")
		}
		if _, err := s.Record(ctx, "hb_nope_nope", Ping{Status: StatusOK}, t0); !errors.Is(err, ErrUnknownToken) {
			t.Fatalf("unknown token: %v", err)
		}
		if runs, err := s.Runs(ctx, "vm2/backup", 10); err != nil || len(runs) != 0 {
			t.Errorf("runs after refused pings = %+v, %v", runs, err)
		}
		record(t, s, token, Ping{Status: StatusOK}, t0)
		if err := s.Remove(ctx, "vm2/backup"); err != nil {
			t.Fatal(err)
		}
		ensure(t, s, "vm2/backup")
		if runs, err := s.Runs(ctx, "vm2/backup", 10); err != nil || len(runs) != 0 {
			t.Errorf("a removed check's history came back: %+v, %v", runs, err)
		}
	})
}

func TestBackupsAreStaleWithoutAGoodRunInPeriodAndGrace(t *testing.T) {
	day := check.Duration(24 * time.Hour)
	checks := []check.Check{
		{Asset: "vm1", Name: "web", Kind: check.TCP},
		{Asset: "vm1", Name: "backup", Kind: check.Heartbeat, HeartbeatOptions: &check.HeartbeatOptions{Period: day, Grace: check.Duration(time.Hour)}},
		{Asset: "vm1", Name: "silent", Kind: check.Heartbeat, HeartbeatOptions: &check.HeartbeatOptions{Period: day}},
		{Asset: "site1", Name: "backup", Kind: check.Heartbeat, HeartbeatOptions: &check.HeartbeatOptions{Period: day}},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestStore(db)
		token := ensure(t, s, "vm1/backup")
		ensure(t, s, "vm1/silent") // created at t0, never pinged
		// site1/backup has no token.
		record(t, s, token, Ping{Status: StatusOK, RestorePoint: "n1"}, t0)
		// Failing runs keep pinging: the backup is no fresher for them.
		record(t, s, token, Ping{Status: StatusFail, Message: "quota exceeded"}, t0.Add(20*time.Hour))

		at := func(now time.Time) []Backup {
			t.Helper()
			list, err := s.Backups(ctx, checks, now)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 3 || list[0].Key != "vm1/backup" || list[1].Key != "vm1/silent" || list[2].Key != "site1/backup" {
				t.Fatalf("Backups = %+v, want the three heartbeat checks in order", list)
			}
			return list
		}
		list := at(t0.Add(24 * time.Hour))
		b := list[0]
		if b.Stale || !b.DueBy.Equal(t0.Add(25*time.Hour)) || b.Last == nil || b.Last.Status != StatusFail ||
			b.LastGood == nil || !b.LastGood.At.Equal(t0) || b.LastFailure == nil || b.LastFailure.Message != "quota exceeded" {
			t.Errorf("vm1/backup a day on = %+v", b)
		}
		if silent := list[1]; silent.Stale || !silent.Issued || silent.Last != nil || silent.Grace != check.DefaultHeartbeatGrace ||
			!silent.DueBy.Equal(t0.Add(24*time.Hour+check.DefaultHeartbeatGrace)) {
			t.Errorf("vm1/silent a day on = %+v", silent)
		}
		if none := list[2]; none.Issued || none.Stale || !none.DueBy.IsZero() || none.RestorePoints == nil {
			t.Errorf("site1/backup without token = %+v", none)
		}

		list = at(t0.Add(25*time.Hour + time.Second))
		if !list[0].Stale || !list[1].Stale || list[2].Stale {
			t.Errorf("stale past period and grace: %v %v %v, want true true false", list[0].Stale, list[1].Stale, list[2].Stale)
		}
	})
}

func TestRetainRunsKeepsNinetyDaysAndABoundedCount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestStore(db)
		s.maxRuns = 5
		now := t0.Add(200 * 24 * time.Hour)
		old := now.Add(-RunRetention - time.Hour)

		// a: an old good run then only failures, old and recent: the old
		// good run stays, being the newest good one.
		a := ensure(t, s, "a/backup")
		record(t, s, a, Ping{Status: StatusOK, RestorePoint: "a-old-good"}, old.Add(-time.Hour))
		record(t, s, a, Ping{Status: StatusFail, RestorePoint: "a-old-fail"}, old)
		record(t, s, a, Ping{Status: StatusFail, RestorePoint: "a-recent-fail"}, now.Add(-time.Hour))
		// b: old good runs superseded by a recent one: they go.
		b := ensure(t, s, "b/backup")
		record(t, s, b, Ping{Status: StatusOK, RestorePoint: "b-old-1"}, old.Add(-2*time.Hour))
		record(t, s, b, Ping{Status: StatusOK, RestorePoint: "b-old-2"}, old)
		record(t, s, b, Ping{Status: StatusOK, RestorePoint: "b-recent"}, now.Add(-time.Hour))
		// c: eight recent good runs: the five newest stay.
		c := ensure(t, s, "c/backup")
		for i := range 8 {
			p := Ping{Status: StatusOK, RestorePoint: fmt.Sprintf("c%d", i)}
			record(t, s, c, p, now.Add(-time.Duration(8-i)*time.Hour))
		}
		// d: seven recent runs, only the oldest good: it stays as the
		// sixth.
		d := ensure(t, s, "d/backup")
		record(t, s, d, Ping{Status: StatusOK, RestorePoint: "d-good"}, now.Add(-10*time.Hour))
		for i := range 6 {
			record(t, s, d, Ping{Status: StatusFail, RestorePoint: fmt.Sprintf("d-fail%d", i)}, now.Add(-time.Duration(6-i)*time.Hour))
		}

		n, err := s.RetainRuns(ctx, now)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]string{
			"a/backup": {"a-recent-fail", "a-old-good"},
			"b/backup": {"b-recent"},
			"c/backup": {"c7", "c6", "c5", "c4", "c3"},
			"d/backup": {"d-fail5", "d-fail4", "d-fail3", "d-fail2", "d-fail1", "d-good"},
		}
		if n != 1+2+3+1 {
			t.Errorf("RetainRuns deleted %d, want 7", n)
		}
		for key, keep := range want {
			runs, err := s.Runs(ctx, key, 100)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(runs); !slices.Equal(got, keep) {
				t.Errorf("%s kept %q, want %q", key, got, keep)
			}
		}
		if again, err := s.RetainRuns(ctx, now); err != nil || again != 0 {
			t.Errorf("second RetainRuns = %d, %v; want 0", again, err)
		}
	})
}

func TestRetainOfAnOrphanTokenDeletesItsRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newTestStore(db)
		token := ensure(t, s, "gone/backup")
		record(t, s, token, Ping{Status: StatusOK, RestorePoint: "last"}, t0)
		now := t0.Add(OrphanRetention + time.Hour)
		if n, err := s.Retain(ctx, func(string) bool { return false }, now); err != nil || n != 1 {
			t.Fatalf("Retain = %d, %v", n, err)
		}
		var left int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM heartbeat_runs WHERE check_key = 'gone/backup'`).Scan(&left); err != nil || left != 0 {
			t.Errorf("runs left of a deleted token: %d, %v", left, err)
		}
	})
}
