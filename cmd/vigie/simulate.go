package main

import (
	"context"
	"fmt"

	"github.com/vigie/vigie/internal/simulate"
)

func runSimulate(_ context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "inventory" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			fmt.Fprintln(e.stdout, "Usage: vigie simulate inventory --sites N --out FILE|DIR [--seed S]")
			fmt.Fprintln(e.stdout, "\nGenerate a deterministic reference host: YAML when FILE ends in .yaml, else customers.csv and assets.csv in DIR.")
			return nil
		}
		return fmt.Errorf("%w: want 'vigie simulate inventory --sites N --out FILE'", errUsage)
	}
	fs := newFlags(e, "simulate inventory", "--sites N --out FILE|DIR [--seed S]",
		"Generate a deterministic reference host: YAML when FILE ends in .yaml or .yml, else customers.csv and assets.csv in DIR")
	sites := fs.Int("sites", 11000, "number of sites")
	seed := fs.Int64("seed", 1, "random seed; the same seed gives the same host")
	out := fs.String("out", "", "output file (.yaml) or directory (CSV)")
	rest, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: --out is required", errUsage)
	}
	if *sites < 0 {
		return fmt.Errorf("%w: --sites must be >= 0", errUsage)
	}
	inv := simulate.Generate(simulate.Params{Sites: *sites, Seed: *seed})
	if err := simulate.WriteFile(*out, inv); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: %d customers, %d assets\n", *out, len(inv.Customers), len(inv.Assets))
	return nil
}
