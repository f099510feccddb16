package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/vigie/vigie/internal/app"
)

func runImpact(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "impact", "[--json] [--db DSN] ASSET",
		"Show every asset that depends on ASSET, how many are sites, and the customers concerned")
	db := dbFlag(fs, e)
	asJSON := fs.Bool("json", false, "print JSON")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return fmt.Errorf("%w: want exactly one ASSET", errUsage)
	}
	a, err := app.Open(ctx, app.Config{DB: *db, Logger: quietLogger(e)})
	if err != nil {
		return err
	}
	defer closeApp(e, a)
	imp, err := a.Inventory.Impact(ctx, rest[0])
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		return enc.Encode(imp)
	}
	fmt.Fprintf(e.stdout, "%s: %d dependent assets, %d sites, %d customers\n", imp.Asset, imp.Assets, imp.Sites, len(imp.Customers))
	if len(imp.Customers) > 0 {
		fmt.Fprintf(e.stdout, "customers: %s\n", strings.Join(imp.Customers, " "))
	}
	return nil
}
