package probe

import (
	"iter"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/keyindex"
)

// monitorChecks is the checks the monitor's detector follows, by key: a
// dense list of key and check, found through an index that reads the key
// from the list (some 30 bytes a check, where a map[string]*check.Check
// took 50 to 77). The key is the string shared with the scheduler and the
// detector. As with a map, a nil set reads as empty.
type monitorChecks struct {
	list  []keyedCheck
	index *keyindex.Positions[keyedCheck]
}

type keyedCheck struct {
	key string
	c   *check.Check
}

func newMonitorChecks(n int) *monitorChecks {
	s := &monitorChecks{list: make([]keyedCheck, 0, n)}
	s.index = keyindex.NewPositions(&s.list, func(k *keyedCheck) string { return k.key }, n)
	return s
}

func (s *monitorChecks) len() int {
	if s == nil {
		return 0
	}
	return len(s.list)
}

// get returns the check of key.
func (s *monitorChecks) get(key string) (*check.Check, bool) {
	if s == nil {
		return nil, false
	}
	if i, ok := s.index.Get(key); ok {
		return s.list[i].c, true
	}
	return nil, false
}

// put sets the check of key, added or replaced.
func (s *monitorChecks) put(key string, c *check.Check) {
	if i, ok := s.index.Get(key); ok {
		s.list[i].c = c
		return
	}
	s.index.Append(keyedCheck{key: key, c: c})
}

// remove forgets key.
func (s *monitorChecks) remove(key string) {
	i, ok := s.index.Get(key)
	if !ok {
		return
	}
	s.index.Remove(i)
}

// all yields every key and check; the set must not change meanwhile.
func (s *monitorChecks) all() iter.Seq2[string, *check.Check] {
	return func(yield func(string, *check.Check) bool) {
		if s == nil {
			return
		}
		for _, k := range s.list {
			if !yield(k.key, k.c) {
				return
			}
		}
	}
}
