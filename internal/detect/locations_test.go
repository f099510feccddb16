package detect

import (
	"testing"
	"time"
)

func TestLocationSilentThenBack(t *testing.T) {
	l := NewLocations(90 * time.Second)
	l.Set("montreal", 10*time.Second, 0) // silent after 30 s
	l.Set("local", 0, -1)                // never silent
	l.Contact("paris", t0)
	l.Contact("montreal", t0)
	l.Contact("local", t0)
	l.Set("never", 0, 0)

	steps := []struct {
		at      time.Duration
		contact []string
		want    []string
	}{
		{20 * time.Second, nil, nil},
		{31 * time.Second, nil, []string{"location-silent@montreal"}},
		{60 * time.Second, nil, nil}, // once only
		{91 * time.Second, nil, []string{"location-silent@paris"}},
		{100 * time.Second, []string{"montreal"}, []string{"location-back@montreal"}},
		{110 * time.Second, []string{"paris"}, []string{"location-back@paris"}},
		{time.Hour, []string{"paris", "montreal"}, nil},
	}
	for _, st := range steps {
		now := t0.Add(st.at)
		for _, c := range st.contact {
			l.Contact(c, now)
		}
		mustKinds(t, st.at.String(), l.Sweep(now), st.want...)
	}
	if l.Silent("local", t0.Add(time.Hour)) || l.Silent("never", t0.Add(time.Hour)) {
		t.Error("a location configured never silent, or never heard from, is silent")
	}
	if !l.Silent("paris", t0.Add(time.Hour+2*time.Minute)) {
		t.Error("paris quiet for 2 minutes is not silent")
	}
}

func TestLocationContactNeverGoesBackInTime(t *testing.T) {
	l := NewLocations(time.Minute)
	l.Contact("paris", t0.Add(time.Minute))
	l.Contact("paris", t0) // a buffered batch arriving late
	if got := l.LastContact("paris"); !got.Equal(t0.Add(time.Minute)) {
		t.Errorf("last contact %v, want %v", got, t0.Add(time.Minute))
	}
}
