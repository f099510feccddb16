package auth

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// TestPrincipalCan checks every role, scope set and permission against the
// intended table, written out here rather than derived from the one in
// permission.go.
func TestPrincipalCan(t *testing.T) {
	all := []Permission{PermRead, PermIncidents, PermMaintenance, PermPostMortems, PermAlerts,
		PermInventory, PermImport, PermUsers, PermLocations, PermRules, PermSettings, PermOverview, PermAudit, PermTicketsRead, PermTicketsWrite, PermContacts}
	staff := []Permission{PermRead, PermIncidents, PermMaintenance, PermPostMortems, PermAlerts, PermOverview, PermTicketsRead, PermTicketsWrite}
	read := []Permission{PermRead, PermOverview, PermTicketsRead}
	tests := []struct {
		role   Role
		scopes []Scope
		want   []Permission
	}{
		{RoleAdmin, nil, all},
		{RoleAdmin, []Scope{ScopeRead}, read},
		{RoleAdmin, []Scope{ScopeOverview}, []Permission{PermOverview}},
		{RoleAdmin, []Scope{ScopeAlertmanager}, []Permission{PermAlerts}},
		{RoleAdmin, []Scope{ScopeImport}, []Permission{PermImport}},
		{RoleAdmin, []Scope{ScopeRead, ScopeImport}, []Permission{PermRead, PermOverview, PermTicketsRead, PermImport}},
		{RoleAdmin, []Scope{ScopeRead, ScopeAlertmanager, ScopeImport}, []Permission{PermRead, PermOverview, PermTicketsRead, PermAlerts, PermImport}},
		{RoleStaff, nil, staff},
		{RoleStaff, []Scope{ScopeRead}, read},
		{RoleStaff, []Scope{ScopeOverview}, []Permission{PermOverview}},
		{RoleStaff, []Scope{ScopeAlertmanager}, []Permission{PermAlerts}},
		{RoleStaff, []Scope{ScopeImport}, nil},
		{RoleStaff, []Scope{ScopeRead, ScopeAlertmanager}, []Permission{PermRead, PermOverview, PermTicketsRead, PermAlerts}},
		{RoleViewer, nil, read},
		{RoleViewer, []Scope{ScopeRead}, read},
		{RoleViewer, []Scope{ScopeOverview}, []Permission{PermOverview}},
		{RoleViewer, []Scope{ScopeAlertmanager}, nil},
		{RoleViewer, []Scope{ScopeImport}, nil},
		{RoleViewer, []Scope{ScopeAlertmanager, ScopeImport}, nil},
		{RoleViewer, []Scope{ScopeOverview, ScopeImport}, []Permission{PermOverview}},
		{"", nil, nil},
		{"root", nil, nil},
	}
	if !slices.Equal(all, Permissions) {
		t.Fatalf("Permissions = %v, the table here knows %v: extend the table", Permissions, all)
	}
	for _, tt := range tests {
		p := Principal{User: User{Role: RoleAdmin}, Role: tt.role, Scopes: tt.scopes}
		for _, perm := range all {
			if got, want := p.Can(perm), slices.Contains(tt.want, perm); got != want {
				t.Errorf("%s with scopes %v: Can(%s) = %v, want %v", tt.role, tt.scopes, perm, got, want)
			}
		}
	}
}

func TestPrincipalRoleIsNotTheUsers(t *testing.T) {
	// The user is an admin, the token a viewer: the principal's role counts.
	p := Principal{User: User{Role: RoleAdmin}, Role: RoleViewer}
	if p.Can(PermIncidents) || !p.Can(PermRead) {
		t.Fatal("a viewer token of an admin acts as an admin")
	}
}

func TestWeaker(t *testing.T) {
	tests := []struct{ a, b, want Role }{
		{RoleAdmin, RoleAdmin, RoleAdmin},
		{RoleAdmin, RoleStaff, RoleStaff},
		{RoleStaff, RoleAdmin, RoleStaff},
		{RoleAdmin, RoleViewer, RoleViewer},
		{RoleViewer, RoleStaff, RoleViewer},
		{RoleStaff, "root", "root"},
	}
	for _, tt := range tests {
		if got := Weaker(tt.a, tt.b); got != tt.want {
			t.Errorf("Weaker(%s, %s) = %s, want %s", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestParseRoleAndScope(t *testing.T) {
	for _, r := range []Role{RoleAdmin, RoleStaff, RoleViewer} {
		if got, err := ParseRole(string(r)); err != nil || got != r {
			t.Errorf("ParseRole(%s) = %s, %v", r, got, err)
		}
	}
	_, err := ParseRole("root")
	if want := `invalid input: role "root" is not one of "admin", "staff", "viewer"`; !errors.Is(err, ErrInvalid) || fmt.Sprint(err) != want {
		t.Errorf("ParseRole(root) = %v, want %s", err, want)
	}
	for _, sc := range Scopes {
		if got, err := ParseScope(string(sc)); err != nil || got != sc {
			t.Errorf("ParseScope(%s) = %s, %v", sc, got, err)
		}
	}
	if _, err := ParseScope("write"); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParseScope(write) = %v, want ErrInvalid", err)
	}
}
