package main

import (
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

func TestUserDutyChangesOnlyWhatIsGiven(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		dsn := dsnOf(t, db)
		for _, email := range []string{"ana@example.org", "luc@example.org"} {
			if r := vigie(t, dsn, "", "user", "add", "--email", email, "--role", "staff"); r.code != 0 {
				t.Fatalf("user add: %+v", r)
			}
		}
		if r := vigie(t, dsn, "", "user", "duty", "--email", "luc@example.org", "--duty", "12:00-20:00", "--timezone", "America/Montreal"); r.code != 0 {
			t.Fatalf("set duty: %+v", r)
		}
		// Changing the zone alone keeps the hours; paging alone too.
		if r := vigie(t, dsn, "", "user", "duty", "--email", "luc@example.org", "--timezone", "America/Toronto"); r.code != 0 {
			t.Fatalf("set zone: %+v", r)
		}
		r := vigie(t, dsn, "", "user", "duty", "--email", "luc@example.org", "--page=false")
		if l := lineOf(r.stdout, "luc@example.org"); r.code != 0 || !strings.Contains(l, "America/Toronto") || !strings.Contains(l, "12:00-20:00") || !strings.Contains(l, " no ") {
			t.Fatalf("luc after two partial changes: %q %+v", l, r)
		}
		for _, bad := range []struct {
			args []string
			says string
		}{
			{[]string{"--email", "luc@example.org"}, "give what changes"},
			{[]string{"--duty", "08:00-23:00"}, "need --email"},
			{[]string{"--email", "luc@example.org", "--duty", "8h-23h"}, "--duty: duty hours"},
			{[]string{"--email", "luc@example.org", "--timezone", "Mars/Olympus"}, "--timezone: unknown time zone"},
			{[]string{"--email", "nobody@example.org", "--duty", "always"}, "nobody@example.org"},
		} {
			r := vigie(t, dsn, "", append([]string{"user", "duty"}, bad.args...)...)
			if r.code == 0 || !strings.Contains(r.stderr, bad.says) {
				t.Errorf("user duty %v: %+v, want an error saying %q", bad.args, r, bad.says)
			}
		}
		r = vigie(t, dsn, "", "user", "duty")
		if !strings.Contains(r.stdout, "no one is on duty now") && !strings.Contains(r.stdout, "a page now reaches") {
			t.Errorf("user duty: %+v", r)
		}
	})
}
