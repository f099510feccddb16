package incident

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// stateT0 is when the down-set scenarios start.
var stateT0 = time.Date(2026, 2, 3, 4, 0, 0, 0, time.UTC)

// sig is a signal of kind on asset's check at second s.
func sig(kind detect.SignalKind, asset, check string, s int) detect.Signal {
	return detect.Signal{Kind: kind, Asset: asset, Check: check, At: stateT0.Add(time.Duration(s) * time.Second),
		Reason: reasonOf(kind), Message: fmt.Sprintf("%s at %d", kind, s), Source: detect.SourceProbe}
}

// reasonOf gives check-down signals a reason, so that it is seen kept.
func reasonOf(kind detect.SignalKind) check.Reason {
	if kind == detect.CheckDown {
		return check.ReasonRefused
	}
	return ""
}

// downText renders a down set as "asset check kind @second #signal", the
// signal numbered from 1 in the order of the log, sorted.
func downText(m map[downKey]downEntry, firstID int64) []string {
	out := []string{}
	for k, d := range m {
		out = append(out, fmt.Sprintf("%s %s %s @%d #%d", k.asset, k.check, d.kind,
			int(d.since.Sub(stateT0)/time.Second), d.signalID-firstID+1))
	}
	slices.Sort(out)
	return out
}

// storedDown reads the incident_down table.
func storedDown(t *testing.T, db *store.DB) map[downKey]downEntry {
	t.Helper()
	e := NewEngine(NewStore(db), nil, EngineOptions{})
	if err := e.Restore(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e.state
}

func cursorOf(t *testing.T, db *store.DB) int64 {
	t.Helper()
	pos, err := store.Cursor(context.Background(), db, EngineCursor)
	if err != nil {
		t.Fatal(err)
	}
	return pos
}

// consumeAll consumes by batches of limit until the log is drained.
func consumeAll(t *testing.T, e *Engine, limit int) Consumed {
	t.Helper()
	var last Consumed
	for range 100 {
		c, err := e.Consume(context.Background(), limit)
		if err != nil {
			t.Fatal(err)
		}
		if c.Signals == 0 {
			return last
		}
		last = c
	}
	t.Fatal("the log never drained")
	return last
}

func TestConsumeChangesTheDownSetAsDocumented(t *testing.T) {
	const web, http = "web", "web/http"
	tests := []struct {
		name    string
		signals []detect.Signal
		want    []string
	}{
		{"a check down is down",
			[]detect.Signal{sig(detect.CheckDown, web, http, 0)},
			[]string{"web web/http check @0 #1"}},
		{"a check up clears it",
			[]detect.Signal{sig(detect.CheckDown, web, http, 0), sig(detect.CheckUp, web, http, 5)},
			[]string{}},
		{"a check down again keeps its first since",
			[]detect.Signal{sig(detect.CheckDown, web, http, 0), sig(detect.CheckDown, web, http, 5), sig(detect.CheckDown, web, http, 9)},
			[]string{"web web/http check @0 #1"}},
		{"down, up and down again starts anew, across batches",
			[]detect.Signal{sig(detect.CheckDown, web, http, 0), sig(detect.CheckUp, web, http, 5), sig(detect.CheckDown, web, http, 9)},
			[]string{"web web/http check @9 #3"}},
		{"an up before any down changes nothing, the down after it counts",
			[]detect.Signal{sig(detect.CheckUp, web, http, 0), sig(detect.CheckDown, web, http, 5)},
			[]string{"web web/http check @5 #2"}},
		{"an alert firing is down as an alert",
			[]detect.Signal{sig(AlertFiringSignal, web, "alertmanager/NodeDown", 0)},
			[]string{"web alertmanager/NodeDown alert @0 #1"}},
		{"an alert resolved clears it",
			[]detect.Signal{sig(AlertFiringSignal, web, "alertmanager/NodeDown", 0), sig(AlertResolvedSignal, web, "alertmanager/NodeDown", 5)},
			[]string{}},
		{"flapping is an entry of its own beside the check",
			[]detect.Signal{sig(detect.CheckDown, web, http, 0), sig(detect.CheckFlapping, web, http, 5)},
			[]string{"web web/http check @0 #1", "web web/http#flapping check @5 #2"}},
		{"stable clears only the flapping",
			[]detect.Signal{sig(detect.CheckDown, web, http, 0), sig(detect.CheckFlapping, web, http, 5), sig(detect.CheckStable, web, http, 9)},
			[]string{"web web/http check @0 #1"}},
		{"a compliance violation is kept as compliance",
			[]detect.Signal{sig(detect.ComplianceViolation, web, "compliance", 0)},
			[]string{"web compliance compliance @0 #1"}},
		{"compliance ok clears it",
			[]detect.Signal{sig(detect.ComplianceViolation, web, "compliance", 0), sig(detect.ComplianceOK, web, "compliance", 5)},
			[]string{}},
		{"signals on no asset and about locations change nothing",
			[]detect.Signal{sig(AlertFiringSignal, "", "alertmanager/Lost", 0), sig(detect.LocationSilent, "", "", 1),
				sig(detect.LocationProblem, web, http, 2), sig(detect.LocationRecovered, web, http, 3)},
			[]string{}},
		{"assets and checks are kept apart",
			[]detect.Signal{sig(detect.CheckDown, web, http, 0), sig(detect.CheckDown, "db", "db/tcp", 1),
				sig(detect.CheckDown, web, "web/tcp", 2), sig(detect.CheckUp, web, "web/tcp", 3)},
			[]string{"db db/tcp check @1 #2", "web web/http check @0 #1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				if err := detect.NewStore(db).Append(ctx, tt.signals); err != nil {
					t.Fatal(err)
				}
				logged, err := detect.After(ctx, db, 0, 100)
				if err != nil {
					t.Fatal(err)
				}
				first, last := logged[0].ID, logged[len(logged)-1].ID
				e := NewEngine(NewStore(db), nil, EngineOptions{})
				if err := e.Restore(ctx); err != nil {
					t.Fatal(err)
				}
				// Batches of two: some cases fold within a batch, some across.
				c := consumeAll(t, e, 2)
				if got := downText(e.state, first); !slices.Equal(got, tt.want) {
					t.Errorf("down set in memory %q, want %q", got, tt.want)
				}
				if got := downText(storedDown(t, db), first); !slices.Equal(got, tt.want) {
					t.Errorf("down set stored %q, want %q", got, tt.want)
				}
				if c.Position != last || cursorOf(t, db) != last {
					t.Errorf("cursor at %d (stored %d), want the last signal %d", c.Position, cursorOf(t, db), last)
				}
				// A second engine on the database continues from the same place.
				other := NewEngine(NewStore(db), nil, EngineOptions{})
				if err := other.Restore(ctx); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(other.state, e.state) {
					t.Errorf("restored down set %v, want %v", other.state, e.state)
				}
				if c, err := other.Consume(ctx, 10); err != nil || c.Signals != 0 || c.Position != last {
					t.Errorf("restored engine consumed %+v, %v; want nothing left after %d", c, err, last)
				}
			})
		})
	}
}

func TestConsumeCountsWhatItTook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		list := []detect.Signal{sig(detect.CheckDown, "web", "web/http", 7), sig(AlertFiringSignal, "web", "alertmanager/X", 3),
			sig(detect.CheckDown, "db", "db/tcp", 5)}
		list[1].Source = detect.SourceAlertmanager
		if err := detect.NewStore(db).Append(ctx, list); err != nil {
			t.Fatal(err)
		}
		e := NewEngine(NewStore(db), nil, EngineOptions{})
		c, err := e.Consume(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		want := map[detect.Source]int{detect.SourceProbe: 2, detect.SourceAlertmanager: 1}
		if c.Signals != 3 || !maps.Equal(c.BySource, want) {
			t.Errorf("consumed %+v, want 3 signals %v", c, want)
		}
	})
}

// TestAFailedConsumeChangesNothing makes Consume's transaction fail at
// several points: neither the database nor the engine's memory move, and
// the next Consume takes the same signals.
func TestAFailedConsumeChangesNothing(t *testing.T) {
	tests := []struct {
		name string
		fail func(t *testing.T, db *store.DB) (ctx context.Context, lift func())
	}{
		{"the down set refuses the write", func(t *testing.T, db *store.DB) (context.Context, func()) {
			return context.Background(), storetest.RefuseWrites(t, db, "incident_down", "")
		}},
		{"the cursor refuses the write, after the down set was written", func(t *testing.T, db *store.DB) (context.Context, func()) {
			return context.Background(), storetest.RefuseWrites(t, db, "log_cursors", "")
		}},
		{"the context ended", func(t *testing.T, db *store.DB) (context.Context, func()) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, func() {}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				log := detect.NewStore(db)
				// Something already consumed, so that there is state to lose.
				if err := log.Append(ctx, []detect.Signal{sig(detect.CheckDown, "web", "web/http", 0),
					sig(AlertFiringSignal, "db", "alertmanager/X", 1)}); err != nil {
					t.Fatal(err)
				}
				e := NewEngine(NewStore(db), nil, EngineOptions{})
				consumeAll(t, e, 10)
				// What the failed call must leave alone: web up, db resolved,
				// a new check down.
				next := []detect.Signal{sig(detect.CheckUp, "web", "web/http", 5), sig(AlertResolvedSignal, "db", "alertmanager/X", 6),
					sig(detect.CheckDown, "mail", "mail/smtp", 7)}
				if err := log.Append(ctx, next); err != nil {
					t.Fatal(err)
				}
				memBefore, dbBefore, posBefore := maps.Clone(e.state), storedDown(t, db), cursorOf(t, db)

				fctx, lift := tt.fail(t, db)
				if c, err := e.Consume(fctx, 10); err == nil {
					t.Fatalf("consume succeeded (%+v), want the injected failure", c)
				}
				if !reflect.DeepEqual(e.state, memBefore) {
					t.Errorf("memory moved on a failed consume:\n got %v\nwant %v", e.state, memBefore)
				}
				if got := storedDown(t, db); !reflect.DeepEqual(got, dbBefore) {
					t.Errorf("stored down set moved on a failed consume:\n got %v\nwant %v", got, dbBefore)
				}
				if pos := cursorOf(t, db); pos != posBefore {
					t.Errorf("cursor moved from %d to %d on a failed consume", posBefore, pos)
				}

				lift()
				c, err := e.Consume(ctx, 10)
				if err != nil {
					t.Fatal(err)
				}
				ids, err := detect.After(ctx, db, posBefore, 10)
				if err != nil {
					t.Fatal(err)
				}
				if c.Signals != len(next) || c.Position != ids[len(ids)-1].ID {
					t.Errorf("next consume took %+v, want the %d signals after %d", c, len(next), posBefore)
				}
				want := map[downKey]downEntry{{"mail", "mail/smtp"}: {kind: downCheck, since: stateT0.Add(7 * time.Second),
					signalID: ids[2].ID, reason: string(check.ReasonRefused), message: "check-down at 7"}}
				if !reflect.DeepEqual(e.state, want) {
					t.Errorf("down set after the retry %v, want %v", e.state, want)
				}
				if got := storedDown(t, db); !reflect.DeepEqual(got, want) {
					t.Errorf("stored down set after the retry %v, want %v", got, want)
				}
			})
		})
	}
}
