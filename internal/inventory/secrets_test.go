package inventory_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vigie/vigie/internal/check"
	"github.com/vigie/vigie/internal/inventory"
	"github.com/vigie/vigie/internal/store"
	"github.com/vigie/vigie/internal/store/storetest"
)

const secretHost = `assets:
  - {name: web1, kind: vm}
checks:
  - {asset: web1, name: api, kind: http, url: "https://bob:hunter2@example.org/health", headers: {Authorization: "Bearer abc", Host: "api.example.org"}}
check_defaults:
  vm: {kind: http, url: "https://example.org/", headers: {X-Api-Key: "k3y"}}
`

func importSecretHost(t *testing.T, db *store.DB) *inventory.Service {
	t.Helper()
	s := inventory.NewService(db, nil)
	if _, err := s.ImportFiles(context.Background(), []inventory.File{{Name: "h.yaml", Data: []byte(secretHost)}}, inventory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return s
}

// apiOf returns the check web1/api from list.
func apiOf(t *testing.T, list []check.Check) check.Check {
	t.Helper()
	for _, c := range list {
		if c.Key() == "web1/api" {
			return c
		}
	}
	t.Fatalf("no web1/api in %v", list)
	return check.Check{}
}

func TestChecksShowSecretsAsSetAndKeepThemWhenWrittenBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := importSecretHost(t, db)
		for _, effective := range []bool{false, true} {
			list, err := s.Checks(ctx, inventory.CheckFilter{Asset: "web1", Effective: effective})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range list {
				for k, v := range c.Headers() {
					if k != "Host" && v != check.SecretMarker {
						t.Errorf("Checks(effective=%v) shows header %s of %s: %q", effective, k, c.Key(), v)
					}
				}
			}
			api := apiOf(t, list)
			if api.URL != "https://bob:"+check.SecretMarker+"@example.org/health" || api.Headers()["Host"] != "api.example.org" {
				t.Errorf("Checks shows %q, %v", api.URL, api.Headers())
			}
		}
		shown := apiOf(t, checksOf(t)(s.Checks(ctx, inventory.CheckFilter{Asset: "web1"})))
		// PUT what GET returned, with one field changed.
		shown.EditHTTP().Method = "HEAD"
		saved, err := s.SaveCheck(ctx, shown, inventory.Update)
		if err != nil {
			t.Fatal(err)
		}
		if saved.Headers()["Authorization"] != check.SecretMarker {
			t.Errorf("SaveCheck answered with the secret: %v", saved.Headers())
		}
		real := apiOf(t, checksOf(t)(s.ChecksWithSecrets(ctx, inventory.CheckFilter{Asset: "web1"})))
		if real.Method() != "HEAD" || real.Headers()["Authorization"] != "Bearer abc" || real.URL != "https://bob:hunter2@example.org/health" {
			t.Errorf("after a PUT of the masked check the monitor gets %+v, want the secrets kept", real)
		}
		// A marker where nothing is stored names the field.
		fresh := check.Check{
			Asset:       "web1",
			Name:        "other",
			Kind:        check.HTTP,
			URL:         "https://example.org/",
			HTTPOptions: &check.HTTPOptions{Headers: map[string]string{"Authorization": check.SecretMarker}},
		}
		_, err = s.SaveCheck(ctx, fresh, inventory.Create)
		var invalid *inventory.CheckInvalidError
		if !errors.As(err, &invalid) || !strings.Contains(err.Error(), "headers.Authorization: the export does not carry secrets; give the value") {
			t.Errorf("a new check with a marker: %v", err)
		}
	})
}

func TestAnExportImportedBackKeepsTheSecrets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := importSecretHost(t, db)
		inv, err := s.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := inventory.WriteYAML(&out, inv); err != nil {
			t.Fatal(err)
		}
		for _, leak := range []string{"hunter2", "Bearer abc", "k3y"} {
			if strings.Contains(out.String(), leak) {
				t.Fatalf("the export holds the secret %q:\n%s", leak, out.String())
			}
		}
		if !strings.Contains(out.String(), "api.example.org") {
			t.Errorf("the export hides the Host header:\n%s", out.String())
		}
		plan, err := s.ImportFiles(ctx, []inventory.File{{Name: "export.yaml", Data: out.Bytes()}}, inventory.ImportOptions{Prune: true})
		if err != nil {
			t.Fatal(err)
		}
		if !plan.Empty() {
			t.Errorf("importing the export back changed %s", plan)
		}
		real := checksOf(t)(s.ChecksWithSecrets(ctx, inventory.CheckFilter{Asset: "web1", Effective: true}))
		for _, c := range real {
			want := map[string]string{"web1/api": "Bearer abc", "web1/http": "k3y"}[c.Key()]
			if got := c.Headers()["Authorization"] + c.Headers()["X-Api-Key"]; got != want {
				t.Errorf("%s: the monitor gets %q, want %q", c.Key(), got, want)
			}
		}

		// The export imported into a database without the secrets is
		// refused, naming each field.
		other := inventory.NewService(storetest.Open(t, db.Engine), nil)
		_, err = other.ImportFiles(ctx, []inventory.File{{Name: "export.yaml", Data: out.Bytes()}}, inventory.ImportOptions{})
		for _, want := range []string{"check web1/api: headers.Authorization: the export does not carry secrets; give the value",
			"check web1/api: url:", "default check of vm: headers.X-Api-Key: the export does not carry secrets"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("import of the export elsewhere: %v; want %q", err, want)
			}
		}
	})
}

// checksOf fails the test on err.
func checksOf(t *testing.T) func([]check.Check, error) []check.Check {
	return func(list []check.Check, err error) []check.Check {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
}
