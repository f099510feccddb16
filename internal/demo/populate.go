package demo

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/notify"
	"github.com/vigie/vigie/internal/probe"
)

// The demo's accounts. The passwords are printed at start: the server
// listens on loopback only, and its database is thrown away on exit.
const (
	staffEmail      = "staff@demo.example"
	staffPassword   = "demo staff password"
	adminEmail      = "admin@demo.example"
	adminPassword   = "demo admin password"
	contactPassword = "demo customer password"
)

// populate imports the host and adds the accounts, the mail channel and
// the second probe location.
func (d *Demo) populate(ctx context.Context) error {
	a := d.App
	var yaml strings.Builder
	if err := inventory.WriteYAML(&yaml, d.h.inv); err != nil {
		return fmt.Errorf("demo: write the host: %w", err)
	}
	if _, err := a.Inventory.ImportFiles(ctx, []inventory.File{{Name: "demo-host.yaml", Data: []byte(yaml.String())}},
		inventory.ImportOptions{}); err != nil {
		return fmt.Errorf("demo: import the host: %w", err)
	}
	d.Host = d.facts()
	if err := d.addStaff(ctx); err != nil {
		return err
	}
	if err := d.addContact(ctx); err != nil {
		return err
	}
	// Every mail, to customers and to staff, goes to the catcher.
	if err := a.Notify.AddChannel(ctx, &notify.Channel{ID: "mail", Kind: notify.KindEmail, Name: "E-mail (demo catcher)",
		Audiences: []notify.Audience{notify.AudienceCustomers, notify.AudienceStaff}, Enabled: true,
		Config: d.Mail.ChannelConfig()}); err != nil {
		return fmt.Errorf("demo: add the mail channel: %w", err)
	}
	token, err := a.Locations.Add(ctx, remoteLocation)
	if err != nil {
		return fmt.Errorf("demo: add the second location: %w", err)
	}
	base := "http://" + d.ln.Addr().String()
	d.remote, err = probe.NewRemote(probe.RemoteOptions{Server: base, Token: token,
		BufferDir: filepath.Join(d.dir, "probe-"+remoteLocation),
		Engine:    check.NewEngine(check.Options{Dial: d.farm.Dial, RootCAs: d.farm.CAPool()}),
		Client:    &http.Client{Timeout: 90 * time.Second}, PushEvery: min(time.Second, d.t.sweep),
		// Polls for new assignments wait less than the server's read
		// deadline of long polls (10 s), which ends longer ones.
		Wait:   5 * time.Second,
		Logger: d.opts.Logger.With("location", remoteLocation)})
	if err != nil {
		return fmt.Errorf("demo: the second location's probe: %w", err)
	}
	return nil
}

// addStaff adds the staff member who runs the script and whom a newcomer
// signs in as (staff need no TOTP), and an admin enrolled in TOTP with
// its key and recovery codes printed, since admins must have it.
func (d *Demo) addStaff(ctx context.Context) error {
	s := d.App.Auth
	if _, err := s.AddUser(ctx, staffEmail, auth.RoleStaff, staffPassword); err != nil {
		return fmt.Errorf("demo: add the staff member: %w", err)
	}
	if _, err := s.AddUser(ctx, adminEmail, auth.RoleAdmin, adminPassword); err != nil {
		return fmt.Errorf("demo: add the admin: %w", err)
	}
	secret, url, err := s.BeginTOTPWithIssuer(ctx, adminEmail, "Vigie demo")
	if err != nil {
		return fmt.Errorf("demo: admin's TOTP: %w", err)
	}
	// The code of the previous step: the admin's first sign-in may then
	// use the current one.
	now := time.Now().Add(-30 * time.Second)
	code, err := totp.GenerateCode(secret, now)
	if err == nil {
		err = s.ConfirmTOTP(ctx, adminEmail, code, now)
	}
	if err != nil {
		return fmt.Errorf("demo: confirm the admin's TOTP: %w", err)
	}
	recovery, err := s.NewRecoveryCodes(ctx, adminEmail)
	if err != nil {
		return fmt.Errorf("demo: admin's recovery codes: %w", err)
	}
	script, _, err := s.CreateToken(ctx, staffEmail, auth.TokenSpec{Name: "demo script"})
	if err != nil {
		return fmt.Errorf("demo: the script's token: %w", err)
	}
	read, _, err := s.CreateToken(ctx, staffEmail, auth.TokenSpec{Name: "demo read", Scopes: []auth.Scope{auth.ScopeRead}})
	if err != nil {
		return fmt.Errorf("demo: a read token: %w", err)
	}
	d.api = &apiClient{base: "http://" + d.ln.Addr().String(), token: script, client: &http.Client{Timeout: 30 * time.Second}}
	d.Accounts.Staff, d.Accounts.StaffPassword = staffEmail, staffPassword
	d.Accounts.Admin, d.Accounts.AdminPassword, d.Accounts.AdminTOTP, d.Accounts.AdminTOTPURL = adminEmail, adminPassword, secret, url
	d.Accounts.AdminRecovery = recovery[:3]
	d.Accounts.ReadToken = read
	return nil
}

// addContact gives the demo customer a contact with a password, in the
// customer's language and zone.
func (d *Demo) addContact(ctx context.Context) error {
	c := d.h.customer
	contact, err := d.App.Auth.AddContact(ctx, auth.Contact{Customer: c.ID, Email: contactEmail(c), Name: "Demo",
		Lang: c.Language, Zone: c.Timezone})
	if err == nil {
		err = d.App.Auth.SetContactPassword(ctx, contact.ID, contactPassword)
	}
	if err != nil {
		return fmt.Errorf("demo: the customer's contact: %w", err)
	}
	d.Accounts.Contact, d.Accounts.ContactPassword = contact.Email, contactPassword
	d.Accounts.Customer, d.Accounts.CustomerName = c.ID, c.Name
	d.Mail.Feature(c.Email, "The demo customer "+c.Name+" ("+c.ID+")")
	return nil
}
