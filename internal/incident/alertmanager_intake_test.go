package incident_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/detect"
	"github.com/vigie/vigie/internal/incident"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

// intakeT0 is when the alerts of the intake scenarios start.
var intakeT0 = time.Date(2026, 5, 4, 3, 0, 0, 0, time.UTC)

// firing is alert fp firing since minute start; resolved is it resolved,
// from that start, at minute end.
func firing(fp string, start int) incident.AlertSignal {
	return incident.AlertSignal{Fingerprint: fp, Asset: "web", Matched: true, Firing: true, Name: "NodeDown",
		StartsAt: intakeT0.Add(time.Duration(start) * time.Minute)}
}

func resolved(fp string, start, end int) incident.AlertSignal {
	a := firing(fp, start)
	a.Firing, a.EndsAt = false, intakeT0.Add(time.Duration(end)*time.Minute)
	return a
}

// kindsOf lists the kinds of signals.
func kindsOf(list []detect.Signal) []detect.SignalKind {
	out := []detect.SignalKind{}
	for _, s := range list {
		out = append(out, s.Kind)
	}
	return out
}

func TestReceiveAppendsEachChangeOfAnAlertOnce(t *testing.T) {
	const (
		fire = incident.AlertFiringSignal
		res  = incident.AlertResolvedSignal
	)
	type delivery struct {
		alerts []incident.AlertSignal
		want   []detect.SignalKind // the signals appended
	}
	tests := []struct {
		name       string
		deliveries []delivery
	}{
		{"a delivery repeated counts once", []delivery{
			{[]incident.AlertSignal{firing("a", 0)}, []detect.SignalKind{fire}},
			{[]incident.AlertSignal{firing("a", 0)}, nil},
		}},
		{"a resolution after firing is fresh, once", []delivery{
			{[]incident.AlertSignal{firing("a", 0)}, []detect.SignalKind{fire}},
			{[]incident.AlertSignal{resolved("a", 0, 5)}, []detect.SignalKind{res}},
			{[]incident.AlertSignal{resolved("a", 0, 5)}, nil},
		}},
		{"an older start delivered late is stale", []delivery{
			{[]incident.AlertSignal{firing("a", 10)}, []detect.SignalKind{fire}},
			{[]incident.AlertSignal{firing("a", 0)}, nil},
			{[]incident.AlertSignal{resolved("a", 0, 5)}, nil},
		}},
		{"firing again for a start seen resolved is stale", []delivery{
			{[]incident.AlertSignal{firing("a", 0)}, []detect.SignalKind{fire}},
			{[]incident.AlertSignal{resolved("a", 0, 5)}, []detect.SignalKind{res}},
			{[]incident.AlertSignal{firing("a", 0)}, nil},
		}},
		{"a new start is fresh again", []delivery{
			{[]incident.AlertSignal{firing("a", 0)}, []detect.SignalKind{fire}},
			{[]incident.AlertSignal{resolved("a", 0, 5)}, []detect.SignalKind{res}},
			{[]incident.AlertSignal{firing("a", 10)}, []detect.SignalKind{fire}},
		}},
		{"alerts are judged each by its fingerprint, in one delivery", []delivery{
			{[]incident.AlertSignal{firing("a", 0), firing("b", 0)}, []detect.SignalKind{fire, fire}},
			{[]incident.AlertSignal{firing("a", 0), resolved("b", 0, 3), firing("c", 1)}, []detect.SignalKind{res, fire}},
		}},
		{"an alert without a fingerprint is always fresh", []delivery{
			{[]incident.AlertSignal{firing("", 0)}, []detect.SignalKind{fire}},
			{[]incident.AlertSignal{firing("", 0)}, []detect.SignalKind{fire}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				s := incident.NewDedupStore(db)
				var all []detect.Signal
				for i, d := range tt.deliveries {
					got, err := s.Receive(ctx, d.alerts, intakeT0.Add(time.Hour))
					if err != nil {
						t.Fatal(err)
					}
					if !slices.Equal(kindsOf(got), d.want) {
						t.Errorf("delivery %d appended %v, want %v", i, kindsOf(got), d.want)
					}
					all = append(all, got...)
				}
				logged, err := detect.After(ctx, db, 0, 100)
				if err != nil {
					t.Fatal(err)
				}
				if len(logged) != len(all) {
					t.Fatalf("%d signals in the log, want the %d returned", len(logged), len(all))
				}
				for i := range logged {
					if logged[i].Kind != all[i].Kind || logged[i].Source != detect.SourceAlertmanager || !logged[i].At.Equal(all[i].At) {
						t.Errorf("logged signal %d: %+v, want %+v from alertmanager", i, logged[i].Signal, all[i])
					}
				}
			})
		})
	}
}

// TestConcurrentDeliveriesOfOneAlertAppendOneSignal has several servers
// (goroutines) receive the same new alert at once, for several alerts: for
// each, exactly one finds it fresh. On PostgreSQL it is the log's lock,
// taken before reading the stored state, that keeps two from both finding
// no state.
func TestConcurrentDeliveriesOfOneAlertAppendOneSignal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		s := incident.NewDedupStore(db)
		const alerts, servers = 10, 6
		for a := range alerts {
			fp := fmt.Sprintf("fp%d", a)
			start := make(chan struct{})
			var wg sync.WaitGroup
			fresh := make(chan int, servers)
			errs := make(chan error, servers)
			for range servers {
				wg.Go(func() {
					<-start
					got, err := s.Receive(ctx, []incident.AlertSignal{firing(fp, 0)}, intakeT0)
					if err != nil {
						errs <- err
						return
					}
					fresh <- len(got)
				})
			}
			close(start)
			wg.Wait()
			close(errs)
			close(fresh)
			for err := range errs {
				t.Fatal(err)
			}
			n := 0
			for k := range fresh {
				n += k
			}
			if n != 1 {
				t.Fatalf("alert %s found fresh by %d of %d concurrent deliveries, want 1", fp, n, servers)
			}
		}
		logged, err := detect.After(ctx, db, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(logged) != alerts {
			t.Fatalf("%d signals in the log, want %d", len(logged), alerts)
		}
	})
}
