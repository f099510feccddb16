package probe

import (
	"slices"
	"testing"
	"time"

	"github.com/vigie/vigie/internal/check"
)

// TestUpdateTouchesOnlyTheChecksNamed changes, adds and removes a check
// among others: the others keep their schedule, and a Set afterwards
// still removes what it does not list.
func TestUpdateTouchesOnlyTheChecksNamed(t *testing.T) {
	s := NewScheduler(SchedulerOptions{Run: okRun})
	every := time.Minute
	kept := newCheck("kept", "10.0.0.1:80", every)
	changed := newCheck("changed", "10.0.0.2:80", every)
	removed := newCheck("removed", "10.0.0.3:80", every)
	s.Set([]*check.Check{kept, changed, removed})
	next := s.entries.get(kept.Key()).next

	moved := *changed
	moved.Address = "10.0.0.9:80"
	added := newCheck("added", "10.0.0.4:80", every)
	s.Update([]*check.Check{&moved, added, kept}, []string{removed.Key(), "unknown/tcp"})
	keys := []string{}
	for e := range s.entries.all() {
		keys = append(keys, e.key)
	}
	slices.Sort(keys)
	if want := []string{"added/tcp", "changed/tcp", "kept/tcp"}; !slices.Equal(keys, want) {
		t.Fatalf("entries %v, want %v", keys, want)
	}
	if e := s.entries.get(changed.Key()); e.check.Address != "10.0.0.9:80" || e.target != targetOf(&moved) {
		t.Fatalf("changed check not taken: %+v", e.check)
	}
	if s.entries.get(kept.Key()).next != next {
		t.Fatal("an unchanged check was scheduled again")
	}
	if got := s.Stats().Checks; got != 3 {
		t.Fatalf("Stats().Checks = %d, want 3", got)
	}
	s.Set([]*check.Check{kept})
	if s.entries.len() != 1 {
		t.Fatalf("Set after Update left %d entries, want 1", s.entries.len())
	}
}
