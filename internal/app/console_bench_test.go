package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/simulate"
)

// BenchmarkConsole serves the staff console's main pages for the
// 11,000-site host while an incident is open on a hypervisor, through the
// whole server on loopback, against the public status page's home in the
// same run: what a staff member's page costs during an outage, and each
// live refresh of the dashboard.
//
//	go test -v -run '^$' -bench Console -benchtime 100x ./internal/app
func BenchmarkConsole(b *testing.B) {
	ctx := context.Background()
	inv := simulate.Generate(simulate.Params{Sites: 11000})
	a, base := benchArea(b, ctx, inv)
	_, hv, site := biggestCustomer(inv)
	u, err := a.Auth.AddUser(ctx, "ops@example.org", auth.RoleAdmin, "a long enough password")
	if err != nil {
		b.Fatal(err)
	}
	bearer, _, err := a.Auth.CreateToken(ctx, "ops@example.org", auth.TokenSpec{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	body := fmt.Sprintf(`{"root_assets":[%q],"title":"Hypervisor down","severity":"major"}`, hv)
	if code := benchCall(b, "POST", base+"/api/v1/incidents", "Bearer "+bearer, body); code != 201 {
		b.Fatalf("open the incident on %s: %d", hv, code)
	}
	session, _, err := a.Sessions.Start(ctx, auth.SubjectStaff, auth.StaffSubject(u.ID), auth.LevelPasswordTOTP, "127.0.0.1", "bench")
	if err != nil {
		b.Fatal(err)
	}
	pages := []struct{ name, path, want string }{
		{"status-page", "/en/", ""},
		{"dashboard", "/staff", "Hypervisor down"},
		{"incidents", "/staff/incidents", "Hypervisor down"},
		{"incident", "/staff/incidents/1", hv},
		{"asset", "/staff/assets/" + hv, hv},
		{"site", "/staff/assets/" + site, site},
		{"search", "/staff/inventory/search?q=s00012", "s00012"},
		{"maintenance", "/staff/maintenance", ""},
	}
	for _, p := range pages {
		cookie := session
		if p.name == "status-page" {
			cookie = ""
		}
		if code, text := benchGet(b, base+p.path, cookie); code != 200 || !strings.Contains(text, p.want) {
			b.Fatalf("%s: %d, want 200 naming %q", p.path, code, p.want)
		}
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if code, _ := benchGet(b, base+p.path, cookie); code != 200 {
					b.Fatalf("%s: %d", p.path, code)
				}
			}
		})
	}
}
