package app_test

import (
	"context"
	"testing"

	"github.com/vigie/vigie/internal/auth"
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
	h := benchOutage(b, ctx)
	session, _, err := h.a.Sessions.Start(ctx, auth.SubjectStaff, auth.StaffSubject(h.admin.ID), auth.LevelPasswordTOTP, "127.0.0.1", "bench")
	if err != nil {
		b.Fatal(err)
	}
	benchPages(b, h.base, session, []benchPage{
		{"dashboard", "/staff", "Hypervisor down"},
		{"incidents", "/staff/incidents", "Hypervisor down"},
		{"incident", "/staff/incidents/1", h.hv},
		{"asset", "/staff/assets/" + h.hv, h.hv},
		{"site", "/staff/assets/" + h.site, h.site},
		{"search", "/staff/inventory/search?q=s00012", "s00012"},
		{"maintenance", "/staff/maintenance", ""},
	})
}
