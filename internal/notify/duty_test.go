package notify

import (
	"testing"
	"time"
)

func TestParseDutyReadsHoursAndRefusesNonsense(t *testing.T) {
	for _, c := range []struct {
		in, want string
		bad      bool
	}{
		{"08:00-23:00", "08:00-23:00", false},
		{" 18:00 - 02:00 ", "18:00-02:00", false},
		{"always", "always", false},
		{"", "", false},
		{"never", "", false},
		{"00:00-24:00", "00:00-24:00", false},
		{"09:00-09:00", "always", false},
		{"8-23", "", true},
		{"25:00-02:00", "", true},
		{"08:60-09:00", "", true},
		{"08:00", "", true},
		{"08:0-09:00", "", true},
	} {
		d, err := ParseDuty(c.in)
		if (err != nil) != c.bad {
			t.Errorf("ParseDuty(%q) error = %v, want bad=%v", c.in, err, c.bad)
			continue
		}
		if err == nil && d.String() != c.want {
			t.Errorf("ParseDuty(%q) = %q, want %q", c.in, d.String(), c.want)
		}
	}
}

// The reference team: Paris on watch 08:00-23:00 Paris time, Montreal
// 12:00-20:00 Montreal time, which is 18:00-02:00 in Paris except in the
// weeks of March and of October-November when only one side of the
// Atlantic has changed its clocks.
func TestDutyRoutingFollowsEachZoneAcrossDaylightSavingChanges(t *testing.T) {
	staff := []Staff{
		{Email: "paris@example.org", Zone: "Europe/Paris", Duty: "08:00-23:00", Page: true},
		{Email: "montreal@example.org", Zone: "America/Montreal", Duty: "12:00-20:00", Page: true},
		{Email: "away@example.org", Zone: "Europe/Paris", Duty: "always", Page: false},
		{Email: "viewer@example.org", Role: "viewer", Zone: "Europe/Paris", Duty: "always", Page: true},
	}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		name, at string
		want     []string
		everyone bool
	}{
		{"winter, 01:30 in Paris: Montreal's evening", "2026-03-01T00:30:00Z", []string{"montreal@example.org"}, false},
		// The United States and Canada moved on 8 March, Europe on 29
		// March: 01:30 in Paris is 20:30 in Montreal, past its watch.
		{"between the two changes, 01:30 in Paris: no one", "2026-03-20T00:30:00Z", []string{"paris@example.org", "montreal@example.org"}, true},
		{"between the two changes, 00:30 in Paris: Montreal", "2026-03-19T23:30:00Z", []string{"montreal@example.org"}, false},
		{"summer, 01:30 in Paris: Montreal again", "2026-04-04T23:30:00Z", []string{"montreal@example.org"}, false},
		{"summer, 22:00 in Paris: both", "2026-04-04T20:00:00Z", []string{"paris@example.org", "montreal@example.org"}, false},
		{"09:00 in Paris: Paris", "2026-04-05T07:00:00Z", []string{"paris@example.org"}, false},
		// Europe moves back on 25 October, North America on 1 November:
		// Montreal's watch is then 17:00-01:00 in Paris.
		{"between the autumn changes, 00:30 in Paris", "2026-10-27T23:30:00Z", []string{"montreal@example.org"}, false},
		{"between the autumn changes, 01:30 in Paris", "2026-10-28T00:30:00Z", []string{"paris@example.org", "montreal@example.org"}, true},
	} {
		got, everyone := Paged(staff, at(c.at))
		var emails []string
		for _, s := range got {
			emails = append(emails, s.Email)
		}
		if everyone != c.everyone || len(emails) != len(c.want) {
			t.Errorf("%s: paged %v (everyone %v), want %v (everyone %v)", c.name, emails, everyone, c.want, c.everyone)
			continue
		}
		for i := range emails {
			if emails[i] != c.want[i] {
				t.Errorf("%s: paged %v, want %v", c.name, emails, c.want)
			}
		}
	}
}
