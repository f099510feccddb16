package main

import (
	"context"
	"fmt"
	"net"

	"github.com/vigie/vigie/internal/simulate"
)

func runSimulate(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "serve" {
		return runSimulateServe(ctx, e, args[1:])
	}
	if len(args) == 0 || args[0] != "inventory" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			fmt.Fprintln(e.stdout, "Usage: vigie simulate inventory --sites N --out FILE|DIR [--seed S] [--farm [--port P]]")
			fmt.Fprintln(e.stdout, "       vigie simulate serve [--sites N] [--seed S] [--port P] [--control ADDR]")
			fmt.Fprintln(e.stdout, "\ninventory: generate a deterministic reference host: YAML when FILE ends in .yaml, else customers.csv and assets.csv in DIR;")
			fmt.Fprintln(e.stdout, "  with --farm, its checks target where 'simulate serve' with the same --sites, --seed and --port serves it.")
			fmt.Fprintln(e.stdout, "serve: serve that host on loopback, with faults injected through a control API.")
			return nil
		}
		return fmt.Errorf("%w: want 'vigie simulate inventory --sites N --out FILE' or 'vigie simulate serve'", errUsage)
	}
	fs := newFlags(e, "simulate inventory", "--sites N --out FILE|DIR [--seed S] [--farm [--port P]]",
		"Generate a deterministic reference host: YAML when FILE ends in .yaml or .yml, else customers.csv and assets.csv in DIR.\n"+
			"With --farm, every machine's address is 127.c.x.y:P and every site's URL http://<its VM's address>/<site>/,\n"+
			"exactly where 'vigie simulate serve' with the same --sites, --seed and --port serves them")
	sites := fs.Int("sites", 11000, "number of sites")
	seed := fs.Int64("seed", 1, "random seed; the same seed gives the same host")
	out := fs.String("out", "", "output file (.yaml) or directory (CSV)")
	farm := fs.Bool("farm", false, "address the checks to 'vigie simulate serve' instead of the realistic names under .example")
	port := fs.Int("port", simulate.DefaultFarmPort, "with --farm, the port every simulated machine and site answers on")
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
	params := simulate.Params{Sites: *sites, Seed: *seed}
	if *farm {
		if err := checkFarmPort(*port); err != nil {
			return err
		}
		params.FarmPort = *port
	}
	inv := simulate.Generate(params)
	if err := simulate.WriteFile(*out, inv); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: %d customers, %d assets\n", *out, len(inv.Customers), len(inv.Assets))
	return nil
}

func runSimulateServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "simulate serve", "[--sites N] [--seed S] [--port P] [--control ADDR]",
		"Serve a generated host on loopback until stopped, exactly where 'vigie simulate inventory --farm' with the\n"+
			"same --sites, --seed and --port checks it: each machine on port P of its 127.c.x.y address (the whole\n"+
			"127.0.0.0/8 must be bindable, as on Linux), each site at http://<its VM's address>/<site>/; inject faults with\n"+
			"POST http://ADDR/faults {\"fault\":\"stop-hypervisor\",\"target\":\"hv03\"}, list them with GET /faults,\n"+
			"clear them with DELETE /faults; GET /sites lists the sites and their listeners")
	sites := fs.Int("sites", 11000, "number of sites")
	seed := fs.Int64("seed", 1, "random seed; the same seed gives the same host as 'simulate inventory'")
	port := fs.Int("port", simulate.DefaultFarmPort, "the port every simulated machine and site answers on, as given to 'simulate inventory --farm'")
	control := fs.String("control", "127.0.0.1:7070", "loopback address of the fault control API")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(rest); err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(*control)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%w: --control must be a loopback address such as 127.0.0.1:7070", errUsage)
	}
	if err := checkFarmPort(*port); err != nil {
		return err
	}
	inv := simulate.Generate(simulate.Params{Sites: *sites, Seed: *seed, FarmPort: *port})
	farm, err := simulate.NewFarm(inv, simulate.FarmOptions{Exact: true, Logger: logger(e)})
	if err != nil {
		return err
	}
	if err := farm.Start(ctx); err != nil {
		return err
	}
	defer func() { _ = farm.Close() }()
	fmt.Fprintf(e.stdout, "serving %d sites of %d assets on port %d, as 'vigie simulate inventory --farm --sites %d --seed %d --port %d' checks them; fault control on http://%s/faults\n",
		*sites, len(inv.Assets), *port, *sites, *seed, *port, *control)
	return farm.ServeControl(ctx, *control)
}

// checkFarmPort refuses a port the farm could not bind without privileges.
func checkFarmPort(port int) error {
	if port < 1024 || port > 65535 {
		return fmt.Errorf("%w: --port must be between 1024 and 65535", errUsage)
	}
	return nil
}
