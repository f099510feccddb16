package heartbeat

import (
	"context"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestExecutorJudgesFromTheLastPing(t *testing.T) {
	lastAt := time.Date(2026, 11, 26, 3, 12, 0, 0, time.UTC)
	hourly := check.Check{Asset: "backup", Name: "nightly", Kind: check.Heartbeat, HeartbeatOptions: &check.HeartbeatOptions{Period: check.Duration(time.Hour)}}
	withGrace := hourly
	withGrace.EditHeartbeat().Grace = check.Duration(30 * time.Minute)
	tests := []struct {
		name   string
		c      check.Check
		ping   *Ping // nil: no ping was received
		now    time.Time
		ok     bool
		reason check.Reason
		msg    string
	}{
		{"ok within the period", hourly, &Ping{Status: StatusOK}, lastAt.Add(30 * time.Minute),
			true, "", "last heartbeat at 2026-11-26T03:12:00Z"},
		{"ok at the end of the grace", hourly, &Ping{Status: StatusOK}, lastAt.Add(65 * time.Minute),
			true, "", "last heartbeat at 2026-11-26T03:12:00Z"},
		{"missed after period and default grace", hourly, &Ping{Status: StatusOK}, lastAt.Add(65*time.Minute + time.Second),
			false, check.ReasonMissed, "no heartbeat since 2026-11-26T03:12:00Z (period 1h, grace 5m)"},
		{"grace of the check is used", withGrace, &Ping{Status: StatusOK}, lastAt.Add(80 * time.Minute),
			true, "", "last heartbeat at 2026-11-26T03:12:00Z"},
		{"missed after the check's grace", withGrace, &Ping{Status: StatusOK}, lastAt.Add(91 * time.Minute),
			false, check.ReasonMissed, "no heartbeat since 2026-11-26T03:12:00Z (period 1h, grace 30m)"},
		{"failure reported", hourly, &Ping{Status: StatusFail, Message: "disk full"}, lastAt.Add(time.Minute),
			false, check.ReasonFailed, "disk full"},
		{"failure without a message", hourly, &Ping{Status: StatusFail}, lastAt.Add(time.Minute),
			false, check.ReasonFailed, "the job reported failure at 2026-11-26T03:12:00Z"},
		{"late after a failure", hourly, &Ping{Status: StatusFail, Message: "disk full"}, lastAt.Add(2 * time.Hour),
			false, check.ReasonMissed, "no heartbeat since 2026-11-26T03:12:00Z (period 1h, grace 5m)"},
		{"waiting for the first ping", hourly, nil, t0.Add(time.Hour),
			true, "", "waiting for the first heartbeat"},
		{"never received", hourly, nil, t0.Add(2 * time.Hour),
			false, check.ReasonMissed, "never received a heartbeat since the token was created at 2026-11-26T02:00:00Z (period 1h, grace 5m)"},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := context.Background()
				s, _ := newTestStore(db)
				_ = s.Remove(ctx, tt.c.Key())
				token := ensure(t, s, tt.c.Key())
				if tt.ping != nil {
					if _, err := s.Record(ctx, token, *tt.ping, lastAt); err != nil {
						t.Fatal(err)
					}
				}
				res := Executor(s, func() time.Time { return tt.now })(ctx, &tt.c)
				if res.OK != tt.ok || res.Reason != tt.reason || res.Message != tt.msg || !res.Started.Equal(tt.now) {
					t.Errorf("got ok=%v reason=%q %q started %v, want ok=%v reason=%q %q",
						res.OK, res.Reason, res.Message, res.Started, tt.ok, tt.reason, tt.msg)
				}
			})
		}
	})
}

func TestExecutorRefusesChecksItCannotJudge(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s, _ := newTestStore(db)
	run := Executor(s, nil)
	tests := []struct {
		name string
		c    check.Check
		msg  string
	}{
		{"other kind", check.Check{Asset: "a", Kind: check.HTTP}, `the heartbeat executor cannot judge a "http" check`},
		{"no period", check.Check{Asset: "a", Kind: check.Heartbeat}, "the heartbeat check has no period"},
		{"no token", check.Check{Asset: "a", Kind: check.Heartbeat, HeartbeatOptions: &check.HeartbeatOptions{Period: check.Duration(time.Hour)}},
			"no token was issued for this heartbeat check"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(context.Background(), &tt.c)
			if res.OK || res.Reason != check.ReasonConfig || res.Message != tt.msg {
				t.Errorf("got ok=%v reason=%q %q, want config %q", res.OK, res.Reason, res.Message, tt.msg)
			}
		})
	}
}

func TestExecutorRunsInTheEngine(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s, _ := newTestStore(db)
	c := &check.Check{Asset: "backup", Kind: check.Heartbeat, HeartbeatOptions: &check.HeartbeatOptions{Period: check.Duration(time.Hour)}}
	token := ensure(t, s, c.Key())
	if _, err := s.Record(context.Background(), token, Ping{Status: StatusFail, Message: "exit 1"}, t0); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return t0.Add(time.Minute) }
	e := check.NewEngine(check.Options{Now: now, Executors: map[check.Kind]check.Executor{check.Heartbeat: Executor(s, now)}})
	if res := e.Run(context.Background(), c); res.Reason != check.ReasonFailed || res.Message != "exit 1" {
		t.Errorf("engine result %+v, want failed with exit 1", res)
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Hour: "1h", 5 * time.Minute: "5m", 90 * time.Minute: "1h30m", 90 * time.Second: "1m30s",
		time.Hour + time.Second: "1h0m1s", 24 * time.Hour: "24h", 1500 * time.Millisecond: "1.5s",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
