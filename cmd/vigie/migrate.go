package main

import (
	"context"
	"fmt"

	"github.com/vigie/vigie/internal/store"
)

func runMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "migrate", "[--db DSN]", "Apply pending database migrations and print the schema version")
	db := dbFlag(fs, e)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	d, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer closeApp(e, d)
	applied, err := d.Migrate(ctx, nil)
	if err != nil {
		return err
	}
	current, _, err := d.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(e.stdout, "%s: schema up to date at version %d\n", d.Where, current)
		return nil
	}
	fmt.Fprintf(e.stdout, "%s: applied %d migrations, schema now at version %d\n", d.Where, len(applied), current)
	return nil
}
