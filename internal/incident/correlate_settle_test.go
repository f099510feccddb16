package incident

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// settleStep is either an observation of what is down at a second, or a
// question to Ready (at a second, for the reader) with the expected
// "root@first-seen" list; what Ready returns is written at once (Opened).
type settleStep struct {
	at      int
	observe bool
	down    string
	want    string
}

func observe(at int, down string) settleStep { return settleStep{at: at, observe: true, down: down} }
func ready(at int, want string) settleStep   { return settleStep{at: at, want: want} }

const hv1Down = "hv1 vm1 vm2 s11 s12 s13 s21 s22"

func TestPendingReadiesRootsAtOnce(t *testing.T) {
	tests := []struct {
		name  string
		steps []settleStep
	}{
		{
			name:  "a root is ready at its first observation, and only once",
			steps: []settleStep{observe(0, hv1Down), ready(0, "hv1@0"), ready(1, ""), ready(200, "")},
		},
		{
			name: "an ancestor failing after the root opened is a root of its own, ready at once",
			steps: []settleStep{
				observe(0, hv1Down), ready(0, "hv1@0"),
				observe(30, "dc1 "+hv1Down), ready(30, "dc1@30"), ready(31, ""),
			},
		},
		{
			name: "a root not written yet is absorbed by an ancestor failing meanwhile, from its first failure",
			steps: []settleStep{
				observe(0, hv1Down), observe(30, "dc1 "+hv1Down), ready(30, "dc1@0"),
			},
		},
		{
			name:  "a failure recovering before it was asked says nothing",
			steps: []settleStep{observe(0, "s12"), observe(20, ""), ready(100, "")},
		},
		{
			name: "children still failing after their parent recovered are new roots",
			steps: []settleStep{
				observe(0, hv1Down), ready(0, "hv1@0"),
				observe(120, "vm1 s11 s12 s13"), ready(120, "vm1@120"),
			},
		},
		{
			name: "a root that recovered and fails again is ready again",
			steps: []settleStep{
				observe(0, "s12"), ready(0, "s12@0"), observe(70, ""), ready(75, ""),
				observe(80, "s12"), ready(80, "s12@80"),
			},
		},
	}
	g, checked := smallHost()
	t0 := time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)
	sec := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Pending
			for i, st := range tt.steps {
				if st.observe {
					p.Observe(Correlate(g, checked, set(st.down), CorrelateOptions{}), sec(st.at))
					continue
				}
				var got []string
				for _, r := range p.Ready() {
					got = append(got, fmt.Sprintf("%s@%d", r.Asset, int(r.FirstSeen.Sub(t0)/time.Second)))
					p.Opened(r.Asset)
				}
				if g := strings.Join(got, " "); g != st.want {
					t.Errorf("step %d: ready at %ds = %q, want %q (waiting %v)", i, st.at, g, st.want, p.Waiting())
				}
			}
		})
	}
}

func TestPendingReadyCarriesTheRoot(t *testing.T) {
	g, checked := smallHost()
	var p Pending
	at := time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)
	p.Observe(Correlate(g, checked, set(hv1Down), CorrelateOptions{}), at)
	got := p.Ready()
	if len(got) != 1 || got[0].Kind != "hypervisor" || len(got[0].Symptoms) != 8 {
		t.Fatalf("ready = %+v, want hv1 with its 8 symptoms", got)
	}
	if again := p.Ready(); len(again) != 1 {
		t.Fatalf("ready again before Opened = %+v, want hv1 still waiting for its write", again)
	}
	p.Opened("hv1")
	if w := p.Waiting(); len(w) != 0 {
		t.Errorf("waiting after ready = %v, want none", w)
	}
}
