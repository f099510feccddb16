package probe

import (
	"testing"
	"time"

	"github.com/vigie/vigie/internal/detect"
)

// TestPendingWritesKeepTheNewestWithinTheirBound fills what waits for the
// database past its bound: the oldest signals and states are dropped and
// counted, the newest kept in order (rollups: TestRollupsKeepTheNewestWithinTheirBound).
func TestPendingWritesKeepTheNewestWithinTheirBound(t *testing.T) {
	t0 := time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)
	var p pendingWrites
	const limit = 3
	for i := range 5 {
		at := t0.Add(time.Duration(i) * time.Minute)
		p.addSignals([]detect.Signal{{Kind: detect.CheckDown, Check: "web-001/tcp", At: at, To: detect.Down},
			{Kind: detect.LocationSilent, Location: "paris", At: at}}, limit)
	}
	if len(p.signals) != limit || len(p.states) != limit {
		t.Fatalf("kept %d signals, %d states; want %d of each", len(p.signals), len(p.states), limit)
	}
	// 10 signals, 5 states (a silent location has none).
	if want := (10 - limit) + (5 - limit); p.dropped != want {
		t.Errorf("dropped %d, want %d", p.dropped, want)
	}
	if got, want := p.states[0].Since, t0.Add(2*time.Minute); !got.Equal(want) {
		t.Errorf("oldest state kept from %s, want %s", got, want)
	}
	if last := p.signals[limit-1]; last.Kind != detect.LocationSilent || !last.At.Equal(t0.Add(4*time.Minute)) {
		t.Errorf("newest signal %+v, want paris silent at the last minute", last)
	}
}
