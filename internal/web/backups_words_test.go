package web

import (
	"testing"
	"time"
)

func TestBackupSizesAndDurationsReadAsPeopleWriteThem(t *testing.T) {
	const nb = "\u00a0"
	sizes := []struct {
		n      int64
		fr, en string
	}{
		{0, "0" + nb + "o", "0" + nb + "B"},
		{999, "999" + nb + "o", "999" + nb + "B"},
		{1000, "1,0" + nb + "ko", "1.0" + nb + "kB"},
		{7_516_192_768, "7,5" + nb + "Go", "7.5" + nb + "GB"},
		{123_456_789, "123" + nb + "Mo", "123" + nb + "MB"},
		{999_960, "1,0" + nb + "Mo", "1.0" + nb + "MB"},
		{1 << 62, "4,6" + nb + "Eo", "4.6" + nb + "EB"},
	}
	for _, c := range sizes {
		if got := humanSize(c.n, "fr"); got != c.fr {
			t.Errorf("humanSize(%d, fr) = %q, want %q", c.n, got, c.fr)
		}
		if got := humanSize(c.n, "en"); got != c.en {
			t.Errorf("humanSize(%d, en) = %q, want %q", c.n, got, c.en)
		}
	}
	durations := []struct {
		d      time.Duration
		fr, en string
	}{
		{400 * time.Millisecond, "0" + nb + "s", "0" + nb + "s"},
		{42 * time.Second, "42" + nb + "s", "42" + nb + "s"},
		{24*time.Minute + 20*time.Second, "24" + nb + "min 20" + nb + "s", "24" + nb + "min 20" + nb + "s"},
		{65 * time.Minute, "1" + nb + "h 05" + nb + "min", "1" + nb + "h 05" + nb + "min"},
		{51 * time.Hour, "2" + nb + "j 3" + nb + "h", "2" + nb + "d 3" + nb + "h"},
	}
	for _, c := range durations {
		if got := humanDuration(c.d, "fr"); got != c.fr {
			t.Errorf("humanDuration(%v, fr) = %q, want %q", c.d, got, c.fr)
		}
		if got := humanDuration(c.d, "en"); got != c.en {
			t.Errorf("humanDuration(%v, en) = %q, want %q", c.d, got, c.en)
		}
	}
}
