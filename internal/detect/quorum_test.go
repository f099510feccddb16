package detect

import (
	"strings"
	"testing"
	"time"
)

func TestQuorumCombinesLocationStates(t *testing.T) {
	tests := []struct {
		name   string
		states []State // one location each, all reporting
		quorum int
		from   State
		want   State
	}{
		{"majority up", []State{Up, Up, Down}, 0, Unknown, Up},
		{"two of three down", []State{Down, Down, Up}, 0, Up, Down},
		{"one of three down", []State{Up, Down, Up}, 0, Up, Up},
		{"one of two down keeps up", []State{Down, Up}, 0, Up, Up},
		{"one of two down keeps unknown", []State{Down, Up}, 0, Unknown, Unknown},
		{"one of two down keeps down", []State{Down, Up}, 0, Down, Down},
		{"single location down", []State{Down}, 0, Up, Down},
		{"single location up", []State{Up}, 0, Down, Up},
		{"three of five down", []State{Up, Down, Down, Down, Up}, 0, Up, Down},
		{"two of five down", []State{Up, Down, Down, Up, Up}, 0, Up, Up},
		{"unconfirmed locations keep the state", []State{Unknown, Unknown, Down}, 0, Up, Up},
		{"explicit quorum of one", []State{Up, Up, Down}, 1, Up, Down},
		{"explicit quorum of three", []State{Down, Down, Up}, 3, Up, Up},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			names := []string{"a", "b", "c", "d", "e"}[:len(tt.states)]
			q := NewQuorum("site1/http", "site1", names, tt.quorum, 3*time.Minute)
			q.Restore(tt.from, t0)
			for i, st := range tt.states {
				o := Outcome{State: st, OK: st != Down}
				if st != Unknown {
					o.Changed, o.Change = true, Change{From: Unknown, To: st, At: t0}
				}
				q.Report(names[i], o, t0)
			}
			q.Evaluate(nil, t0, nil)
			if q.State() != tt.want {
				t.Errorf("state %v, want %v", q.State(), tt.want)
			}
		})
	}
}

func TestQuorumIgnoresUnassignedLocations(t *testing.T) {
	q := NewQuorum("site1/http", "site1", []string{"a"}, 0, time.Minute)
	if q.Report("b", Outcome{State: Down}, t0) {
		t.Fatal("an unassigned location was recorded")
	}
	closed := q.Assign([]string{"b"}, 0)
	if len(closed) != 0 || len(q.Locations()) != 1 || q.Locations()[0] != "b" {
		t.Fatalf("after reassignment: locations %v closed %v", q.Locations(), closed)
	}
}

func TestQuorumStaleLocationStopsCounting(t *testing.T) {
	q := NewQuorum("site1/http", "site1", []string{"a", "b", "c"}, 0, 3*time.Minute)
	up := Outcome{State: Up, OK: true, Changed: true, Change: Change{To: Up, At: t0}}
	down := Outcome{State: Down, Changed: true, Change: Change{From: Up, To: Down, At: t0.Add(time.Minute)}}
	for _, l := range []string{"a", "b", "c"} {
		q.Report(l, up, t0)
	}
	// The evidence comes from the last location to change.
	mustKinds(t, "all up", q.Evaluate(nil, t0, nil), "check-up@c")
	// a and b see the check down while c stops reporting: with c counted
	// the quorum is 2 of 3, reached.
	q.Report("a", down, t0.Add(time.Minute))
	q.Report("b", down, t0.Add(time.Minute))
	mustKinds(t, "two down", q.Evaluate(nil, t0.Add(time.Minute), nil), "check-down@b")
	// Only a keeps reporting; once b and c are stale, a alone is the
	// majority of those reporting and keeps the check down.
	q.Report("a", Outcome{State: Down}, t0.Add(5*time.Minute))
	mustKinds(t, "stale", q.Evaluate(nil, t0.Add(5*time.Minute), nil))
	if q.State() != Down {
		t.Errorf("state %v, want down", q.State())
	}
}

func TestQuorumBlamesLocationOnlyWhenOthersSeeUp(t *testing.T) {
	// Each location is written as its state and when it last succeeded
	// relative to the Down locations' change: 'D' down and still failing,
	// 'd' down but its last result succeeded, 'U' up with a success since,
	// 'u' up with no success since, '?' not confirmed yet.
	tests := []struct {
		name   string
		states string
		quorum int
		want   []string // locations blamed, in order
	}{
		{"one down, others confirm up", "DUU", 0, []string{"a"}},
		{"others not confirmed since", "Duu", 0, nil},
		{"one other confirmed, one not", "DUu", 0, nil},
		{"an unconfirmed location", "D?U", 0, nil},
		{"two locations", "DU", 0, []string{"a"}},
		{"two of five down", "DDUUU", 0, []string{"a", "b"}},
		{"more down than up under an explicit quorum", "DDDUU", 4, nil},
		{"check down", "DDU", 0, nil},
		{"soft-recovering location", "dUU", 0, nil},
		{"single location", "D", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			names := []string{"a", "b", "c", "d", "e"}[:len(tt.states)]
			q := NewQuorum("site1/http", "site1", names, tt.quorum, time.Hour)
			q.Restore(Up, t0.Add(-time.Hour))
			downAt, now := t0, t0.Add(time.Minute)
			for i, c := range tt.states {
				var o Outcome
				at := now
				switch c {
				case 'D', 'd':
					o = Outcome{State: Down, OK: c == 'd', Changed: true, Change: Change{From: Up, To: Down, At: downAt}}
				case 'U', 'u':
					o = Outcome{State: Up, OK: true}
					if c == 'u' {
						at = downAt.Add(-time.Minute)
					}
				case '?':
					o = Outcome{State: Unknown}
				}
				q.Report(names[i], o, at)
			}
			var blamed []string
			for _, s := range q.Evaluate(nil, now, nil) {
				if s.Kind == LocationProblem {
					blamed = append(blamed, s.Location)
				}
			}
			if strings.Join(blamed, ",") != strings.Join(tt.want, ",") {
				t.Errorf("blamed %v, want %v", blamed, tt.want)
			}
		})
	}
}
