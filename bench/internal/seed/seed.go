// Package seed fills a benchmark's server: its inventory, imported as an
// operator would, and a staff token to call its API with.
package seed

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vigie/vigie/internal/app"
	"github.com/vigie/vigie/internal/auth"
	"github.com/vigie/vigie/internal/inventory"
)

// Seeded is what Import did.
type Seeded struct {
	Imported time.Duration // the import's time
	Checks   int           // the effective checks after it
	Bearer   string        // an admin's API token
}

// Import writes inv as YAML and imports it into a, as `vigie import`
// does, then makes an admin with a token. progress, when set, is told the
// size of what is imported.
func Import(ctx context.Context, a *app.App, inv *inventory.Inventory, progress func(format string, args ...any)) (Seeded, error) {
	var yaml strings.Builder
	if err := inventory.WriteYAML(&yaml, inv); err != nil {
		return Seeded{}, err
	}
	if progress != nil {
		progress("importing %d customers and %d assets (%.1f MB of YAML)", len(inv.Customers), len(inv.Assets), float64(yaml.Len())/1e6)
	}
	var s Seeded
	start := time.Now()
	files := []inventory.File{{Name: "host.yaml", Data: []byte(yaml.String())}}
	if _, err := a.Inventory.ImportFiles(ctx, files, inventory.ImportOptions{}); err != nil {
		return s, fmt.Errorf("import: %w", err)
	}
	s.Imported = time.Since(start)
	checks, err := a.Inventory.Checks(ctx, inventory.CheckFilter{Effective: true})
	if err != nil {
		return s, err
	}
	s.Checks = len(checks)
	if _, err := a.Auth.AddUser(ctx, "bench@example.org", auth.RoleAdmin, "a long enough password"); err != nil {
		return s, err
	}
	if s.Bearer, _, err = a.Auth.CreateToken(ctx, "bench@example.org", auth.TokenSpec{Name: "bench"}); err != nil {
		return s, err
	}
	return s, nil
}

// WaitChecked waits until every one of checks has a state: each has run
// once.
func WaitChecked(ctx context.Context, a *app.App, checks int, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		states, err := a.Detection.States(ctx)
		if err == nil && len(states) >= checks {
			return nil
		}
		if time.Now().After(deadline) {
			if err != nil {
				return fmt.Errorf("after %s, read the states: %w", within, err)
			}
			return fmt.Errorf("after %s, %d of %d checks have a state", within, len(states), checks)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
